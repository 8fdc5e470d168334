"""Typed, translated refusals of the case API."""

from __future__ import annotations

from app.domain.errors import UserFacingError
from app.domain.i18n import N_


class CaseError(UserFacingError):
    """Base of the case API's refusals."""


class PurposeMissing(CaseError):
    """No programme/purpose stated."""

    msgid = N_("State the applicant's programme and purpose before looking up a NIK.")


class AgreementEnded(CaseError):
    """The PKS term is over (or not begun): lookups are unlawful (R-27)."""

    msgid = N_(
        "The cooperation agreement (PKS) is not in force today, so no lookups are allowed. "
        "The administrator must renew the agreement with Dinas Dukcapil."
    )


class LookupBlocked(CaseError):
    """A lock-out is in force (R-05)."""

    def __init__(self, detail: str, text: str) -> None:
        super().__init__(detail)
        self._text = text

    @property
    def message(self) -> str:
        """The lock-out's own explanation."""
        return self._text


class GuardRefused(CaseError):
    """The pattern guard refused this lookup (R-07)."""

    def __init__(
        self,
        text: str,
        overridable: bool,
        retry_after: int,
        *,
        rule: str = "",
        nik_hash: str | None = None,
    ) -> None:
        super().__init__("guard")
        self._text = text
        self.rule = rule
        self.nik_hash = nik_hash
        self.overridable = overridable
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        """The guard's explanation."""
        return self._text


class NikMismatch(CaseError):
    """The NIK typed when resuming a returned case is not the case's NIK."""

    msgid = N_(
        "This NIK is not the one of the returned case. Check the applicant's documents and "
        "the case number."
    )


class NotIssuable(CaseError):
    """The last answer does not allow issuing the document (R-25)."""

    msgid = N_(
        "The document cannot be issued: the last check did not confirm the data (issue only "
        "after “data found”, never after a duplicate record). Return the request for fixes "
        "or refuse it."
    )


class WrongAccessMethod(CaseError):
    """A portal action in web-service mode or the other way round (R-24)."""

    msgid = N_("This action does not match the agreement's access method.")


class GatewayUnavailable(CaseError):
    """The gateway could not be reached; the hit may still have counted."""

    msgid = N_(
        "The Dukcapil gateway did not answer (network, timeout or certificate problem). The "
        "attempt counts against today's quota. Check the network link, then try again; if "
        "it keeps failing, call the administrator."
    )


class SupervisorRequired(CaseError):
    """An override needs a supervisor."""

    msgid = N_("Only a supervisor can allow this, with a written reason.")


class NotPermittedByAgreement(CaseError):
    """The agreement's profile does not grant this service or these elements (R-03, R-09)."""

    msgid = N_(
        "The agreement does not permit this check (lookup by NIK or these elements). Use the "
        "checks the agreement grants; the administrator can confirm the agreement profile."
    )


class VerifyElementsMissing(CaseError):
    """Verify by element without any element from the documents (R-09)."""

    msgid = N_(
        "Enter what the applicant's documents say (at least one element besides the NIK) "
        "before verifying: the gateway compares each element sent."
    )


class NikNotAllowedHere(CaseError):
    """A number field (document, recipient) holds what looks like a NIK."""

    msgid = N_("This looks like a NIK. Enter the document or recipient number here, not the NIK.")


class ProgrammeNotListed(CaseError):
    """The programme is not one of the agency's programmes (settings ``agency.programmes``)."""

    msgid = N_(
        "Choose the programme from the agency's list. If a programme is missing, the "
        "administrator adds it to the settings."
    )


class ReasonRequired(CaseError):
    """A return or refusal needs at least one reason from the list."""

    msgid = N_("Choose at least one reason from the list for a return or refusal.")


class ChannelNotGranted(WrongAccessMethod):
    """The method is granted, but through the other channel (web service / web portal)."""

    msgid = N_(
        "The agreement grants this check only through the other channel (web service or web "
        "portal). Choose the check the case screen offers for this agreement."
    )


class DocumentsIncomplete(CaseError):
    """Approval without every required document ticked (flowchart step 2)."""

    msgid = N_(
        "The request cannot be approved: not every required document was ticked as present. "
        "Check the documents again, or return the request for fixes."
    )


class ElementsUnconfirmed(CaseError):
    """The card or documents differ from Dukcapil and the officer did not confirm them."""

    msgid = N_(
        "The card or documents differ from the Dukcapil data on one or more elements. "
        "Check each element with the applicant's documents and confirm it as “sesuai”, "
        "or return the request for fixes."
    )


class DocumentsMatchUnconfirmed(CaseError):
    """A typed NIK: nothing was compared, so the officer must confirm the documents match."""

    msgid = N_(
        "The NIK was typed, so nothing was compared automatically. Confirm that the "
        "applicant's documents match the data shown before approving."
    )


class StatementNotPrinted(CaseError):
    """Hand-over before the statement was printed once."""

    msgid = N_("Print the statement first (Ctrl+P): it is handed over on paper.")


class RecipientNumberMissing(CaseError):
    """Hand-over with no recipient number for the data balikan."""

    msgid = N_(
        "Enter the recipient / registration number for the data balikan before handing over."
    )


class NikCorrectionReasonRequired(CaseError):
    """A different NIK in the same case needs a reason (it is a new, counted lookup)."""

    msgid = N_(
        "This is a different NIK from the one already checked in this case. Give a reason "
        "for the correction; the new lookup counts against today's quota."
    )


class NikCorrectionTooLate(CaseError):
    """A different NIK after a decision: the case must be cancelled or a new one opened."""

    msgid = N_(
        "The NIK can no longer be changed: a decision was already made in this case. "
        "Cancel it and open a new one for the other NIK."
    )
