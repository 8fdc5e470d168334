"""Why a case was returned or refused: a fixed, translatable list (never free text on disk)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from app.domain.i18n import N_, _


class CaseReason(Enum):
    """A reason for returning a case for fixes, or refusing it."""

    DOCUMENTS_INCOMPLETE = "documents_incomplete"
    KK_DIFFERS = "kk_differs"
    NAME_DIFFERS = "name_differs"
    BIRTH_DATA_DIFFERS = "birth_data_differs"
    ADDRESS_DIFFERS = "address_differs"
    DOCUMENT_ILLEGIBLE = "document_illegible"
    NOT_ELIGIBLE = "not_eligible"
    REFER_TO_DUKCAPIL = "refer_to_dukcapil"
    OTHER = "other"
    #: Set by the app (or a supervisor), never chosen at the decision step.
    APPLICANT_DID_NOT_RETURN = "applicant_did_not_return"

    @property
    def label(self) -> str:
        """The reason in the installed language."""
        return _(REASON_LABELS[self])


REASON_LABELS: dict[CaseReason, str] = {
    CaseReason.DOCUMENTS_INCOMPLETE: N_("Documents incomplete"),
    CaseReason.KK_DIFFERS: N_("Family card (KK) differs from the population data"),
    CaseReason.NAME_DIFFERS: N_("Name differs from the population data"),
    CaseReason.BIRTH_DATA_DIFFERS: N_("Place or date of birth differs"),
    CaseReason.ADDRESS_DIFFERS: N_("Address differs from the population data"),
    CaseReason.DOCUMENT_ILLEGIBLE: N_("A document is illegible or damaged"),
    CaseReason.NOT_ELIGIBLE: N_("Does not meet the programme's requirements"),
    CaseReason.REFER_TO_DUKCAPIL: N_("Refer the applicant to Dukcapil to update their data"),
    CaseReason.OTHER: N_("Other (explained to the applicant in person)"),
    CaseReason.APPLICANT_DID_NOT_RETURN: N_("The applicant did not come back"),
}
#: The reasons an officer may tick when returning or refusing a case.
OFFICER_REASONS: tuple[CaseReason, ...] = tuple(
    r for r in CaseReason if r is not CaseReason.APPLICANT_DID_NOT_RETURN
)
_SEPARATOR = ","


def encode_reasons(reasons: Iterable[CaseReason]) -> str:
    """The stored form: codes in list order, comma-separated, each once."""
    chosen = set(reasons)
    return _SEPARATOR.join(r.value for r in CaseReason if r in chosen)


def decode_reasons(stored: str | None) -> tuple[CaseReason, ...]:
    """The reasons of a stored value (unknown codes are skipped)."""
    known = {r.value: r for r in CaseReason}
    return tuple(known[c] for c in (stored or "").split(_SEPARATOR) if c in known)


def reason_labels(reasons: Iterable[CaseReason]) -> str:
    """The reasons as one translated line."""
    return "; ".join(r.label for r in reasons)


class OverrideReason(Enum):
    """Why a supervisor allowed a lookup the pattern guard refused (stored as the code)."""

    TWINS = "twins"
    FAMILY_AT_COUNTER = "family_at_counter"
    SAME_HOUSEHOLD = "same_household"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The reason in the installed language."""
        return _(OVERRIDE_LABELS[self])


OVERRIDE_LABELS: dict[OverrideReason, str] = {
    OverrideReason.TWINS: N_("Twins, both at the counter"),
    OverrideReason.FAMILY_AT_COUNTER: N_("Family members served together, all present"),
    OverrideReason.SAME_HOUSEHOLD: N_("Same household, applicant present with documents"),
    OverrideReason.OTHER: N_("Other (explained to the supervisor in person)"),
}


def override_reason(text: str) -> OverrideReason:
    """The reason a supervisor chose (a code); anything else typed counts as "other"."""
    known = {r.value: r for r in OverrideReason}
    return known.get(text.strip(), OverrideReason.OTHER)
