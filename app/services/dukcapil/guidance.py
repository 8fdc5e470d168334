"""What each gateway outcome means for the officer and what to do next (R-04, R-05).

Texts are English msgids translated with ``_()`` when a Guidance is built; the Indonesian
catalogue is ``resources/translations/id/LC_MESSAGES/loket.po``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from app.domain.i18n import N_, _
from app.domain.outcomes import ACCESS_LOCKOUTS, OutcomeKind
from app.services.dukcapil.errors import TransportFailure


class Severity(enum.Enum):
    """How the screen should present the answer."""

    OK = "ok"
    CAUTION = "caution"
    STOP = "stop"


class QueryBlock(enum.Enum):
    """Whether further queries must wait."""

    NONE = "none"
    UNTIL_TOMORROW = "until_tomorrow"
    UNTIL_RESET = "until_reset"


@dataclass(frozen=True)
class Guidance:
    """Translated officer guidance for one answer."""

    title: str
    meaning: str
    next_step: str
    severity: Severity
    block: QueryBlock = QueryBlock.NONE

    @property
    def paragraph(self) -> str:
        """Title, meaning and next step as one paragraph."""
        return f"{self.title}: {self.meaning} {self.next_step}"


K = OutcomeKind
S = Severity

_CALL_ADMIN_BLOCKED = N_(
    "Call the administrator. Further queries are blocked until the administrator resets the access."
)

_OUTCOME_TEXTS: dict[OutcomeKind, tuple[str, str, str, Severity]] = {
    K.FOUND: (
        N_("Data found"),
        N_("The NIK is registered and active. Only the elements your agreement permits are shown."),
        N_(
            "Compare the data with the applicant's documents. If they match, continue with the "
            "service; if not, ask the applicant to correct the documents."
        ),
        S.OK,
    ),
    K.VERIFIED: (
        N_("Verification answered"),
        N_(
            "The gateway compared each element sent with the population database: Sesuai "
            "(matches) or Tidak Sesuai (does not match), with a score for text fields."
        ),
        N_(
            "If every element matches, continue with the service. If an element does not "
            "match, ask the applicant to correct the documents, then check again."
        ),
        S.OK,
    ),
    K.DECEASED: (
        N_("Data found: deceased"),
        N_("The population database records this person as deceased."),
        N_("Do not issue the document. Refer the applicant to the Dinas Dukcapil."),
        S.STOP,
    ),
    K.DUPLICATE: (
        N_("Data found: duplicate record"),
        N_(
            "The NIK belongs to more than one record in the population database; its "
            "uniqueness is not confirmed."
        ),
        N_(
            "Do not print the NIK as verified on any document. Refer the applicant to the "
            "Dinas Dukcapil to resolve the duplicate."
        ),
        S.STOP,
    ),
    K.NOT_FOUND: (
        N_("Data not found"),
        N_("The NIK is not in the population database."),
        N_(
            "Check the NIK against the KTP-el or IKD. If it was entered correctly, ask the "
            "applicant to correct the documents with the Dinas Dukcapil, then check again."
        ),
        S.CAUTION,
    ),
    K.INACTIVE: (
        N_("Data found: status inactive"),
        N_("The record exists but is not active."),
        N_(
            "Do not continue with this NIK. Refer the applicant to the Dinas Dukcapil to have "
            "the status checked."
        ),
        S.STOP,
    ),
    K.INVALID_FORMAT: (
        N_("NIK not in Dukcapil format"),
        N_("The gateway does not accept this number as a NIK."),
        N_(
            "Check the NIK against the KTP-el or IKD and enter it again. If it is correct, "
            "refer the applicant to the Dinas Dukcapil."
        ),
        S.CAUTION,
    ),
    K.LOGIN_FAILED: (
        N_("Gateway login failed"),
        N_("The gateway refused the agency's user ID or password."),
        _CALL_ADMIN_BLOCKED,
        S.STOP,
    ),
    K.IP_REJECTED: (
        N_("Client IP rejected"),
        N_("The gateway does not accept queries from this computer's registered IP address."),
        _CALL_ADMIN_BLOCKED,
        S.STOP,
    ),
    K.QUOTA_EXHAUSTED: (
        N_("Daily quota used up"),
        N_("The agency has used all of today's queries."),
        N_(
            "Stop querying until tomorrow. Tell your supervisor and ask the applicant to come "
            "back tomorrow."
        ),
        S.STOP,
    ),
    K.INSTITUTION_INACTIVE: (
        N_("Agency access inactive"),
        N_("The gateway reports that the agency's access is not active."),
        _CALL_ADMIN_BLOCKED,
        S.STOP,
    ),
    K.USER_INACTIVE: (
        N_("User ID inactive"),
        N_("The gateway reports that the agency's user ID is not active."),
        _CALL_ADMIN_BLOCKED,
        S.STOP,
    ),
    K.ACCESS_TIME: (
        N_("Outside permitted access hours"),
        N_("The gateway does not accept queries at this time."),
        N_(
            "Try again within the permitted access hours. Tell your supervisor if this keeps "
            "happening."
        ),
        S.CAUTION,
    ),
    K.BAD_REQUEST: (
        N_("Request not accepted"),
        N_("The gateway found the request incomplete or could not process the NIK."),
        N_("Check the NIK and enter it again. If it happens again, call the administrator."),
        S.CAUTION,
    ),
    K.UNKNOWN: (
        N_("Unknown gateway answer (code {code})"),
        N_("The gateway gave an answer this application does not recognise."),
        N_("Do not continue with this query. Note the code shown and call the administrator."),
        S.STOP,
    ),
}

_GATEWAY_ERROR = (
    N_("Gateway error"),
    N_(
        "The gateway answered with an error or an unreadable reply. The query may have "
        "counted against the quota."
    ),
    N_("Try once more later. If it happens again, call the administrator."),
    S.CAUTION,
)

_FAILURE_TEXTS: dict[TransportFailure, tuple[str, str, str, Severity]] = {
    TransportFailure.CONNECT: (
        N_("Gateway unreachable"),
        N_("No connection to the gateway could be made; the query was not sent."),
        N_(
            "Check the VPN link and the network cable, then try again. If it persists, call "
            "the administrator."
        ),
        S.CAUTION,
    ),
    TransportFailure.TLS: (
        N_("Gateway certificate not trusted"),
        N_(
            "The server did not present the certificate the administrator imported; no "
            "credentials were sent."
        ),
        N_(
            "Do not continue. Call the administrator: the certificate may have changed or the "
            "connection may be intercepted."
        ),
        S.STOP,
    ),
    TransportFailure.TIMEOUT: (
        N_("The gateway did not answer in time"),
        N_("The query may have reached the gateway and counted against the quota."),
        N_(
            "Check the network link. Do not repeat the query many times; try once more only "
            "while the applicant is being served."
        ),
        S.CAUTION,
    ),
    TransportFailure.HTTP_STATUS: _GATEWAY_ERROR,
    TransportFailure.NOT_JSON: _GATEWAY_ERROR,
    TransportFailure.PROTOCOL: _GATEWAY_ERROR,
    TransportFailure.TOO_LARGE: _GATEWAY_ERROR,
}

PLAIN_HTTP_NOTICE = N_("Gateway connection not encrypted (plain HTTP)")


def _block(kind: OutcomeKind) -> QueryBlock:
    if kind in ACCESS_LOCKOUTS:
        return QueryBlock.UNTIL_RESET
    if kind is OutcomeKind.QUOTA_EXHAUSTED:
        return QueryBlock.UNTIL_TOMORROW
    return QueryBlock.NONE


def guidance_for(kind: OutcomeKind, code: str | None = None) -> Guidance:
    """Officer guidance for an outcome, in the installed language (UNKNOWN shows ``code``)."""
    title, meaning, next_step, severity = _OUTCOME_TEXTS[kind]
    return Guidance(
        title=_(title).format(code=code or "—"),
        meaning=_(meaning),
        next_step=_(next_step),
        severity=severity,
        block=_block(kind),
    )


def guidance_for_failure(failure: TransportFailure) -> Guidance:
    """Officer guidance for a transport failure, in the installed language."""
    title, meaning, next_step, severity = _FAILURE_TEXTS[failure]
    return Guidance(_(title), _(meaning), _(next_step), severity)


def all_msgids() -> list[str]:
    """Every guidance msgid (for catalogue completeness checks)."""
    texts = [*_OUTCOME_TEXTS.values(), *_FAILURE_TEXTS.values()]
    ids = {text for entry in texts for text in entry[:3]}
    ids.add(PLAIN_HTTP_NOTICE)
    return sorted(ids)


def guidance_text(kind: OutcomeKind, code: str | None = None) -> str:
    """The guidance as one paragraph (title, meaning, next step), in the installed language."""
    return guidance_for(kind, code).paragraph
