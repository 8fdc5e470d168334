"""Labels of the report's rows (English msgids, translated when shown)."""

from __future__ import annotations

from app.domain.i18n import N_, _
from app.domain.outcomes import OutcomeKind

OUTCOME_LABELS: dict[str, str] = {
    OutcomeKind.FOUND.value: N_("Data found"),
    OutcomeKind.VERIFIED.value: N_("Verified by element"),
    OutcomeKind.DECEASED.value: N_("Found, deceased"),
    OutcomeKind.DUPLICATE.value: N_("Found, duplicate record"),
    OutcomeKind.NOT_FOUND.value: N_("Not found"),
    OutcomeKind.INACTIVE.value: N_("Found, inactive"),
    OutcomeKind.INVALID_FORMAT.value: N_("NIK not in Dukcapil format"),
    OutcomeKind.LOGIN_FAILED.value: N_("Login failed"),
    OutcomeKind.IP_REJECTED.value: N_("IP address rejected"),
    OutcomeKind.QUOTA_EXHAUSTED.value: N_("Quota used up"),
    OutcomeKind.INSTITUTION_INACTIVE.value: N_("Agency inactive"),
    OutcomeKind.USER_INACTIVE.value: N_("User id inactive"),
    OutcomeKind.ACCESS_TIME.value: N_("Outside access hours"),
    OutcomeKind.BAD_REQUEST.value: N_("Request refused"),
    OutcomeKind.UNKNOWN.value: N_("Unknown answer"),
    "transport_error": N_("No answer (network)"),
}

METHOD_LABELS: dict[str, str] = {
    "lookup": N_("Lookup by NIK (web service)"),
    "verify": N_("Verify by element (web service)"),
    "portal": N_("Web portal, recorded by the officer"),
}

DECISION_LABELS: dict[str, str] = {
    "approve": N_("Approved"),
    "return": N_("Returned for fixes"),
    "refuse": N_("Refused"),
    "submitted": N_("Open: submitted"),
    "documents_checked": N_("Open: documents checked"),
    "cross_checked": N_("Open: cross-checked, no decision yet"),
    "cancelled": N_("Cancelled"),
}

GUARD_RULE_LABELS: dict[str, str] = {
    "neighbour": N_("sequential NIK"),
    "burst": N_("many NIKs in a short time"),
    "too_fast": N_("lookups too close together"),
}


def outcome_label(key: str) -> str:
    """A lookup outcome in the user's language."""
    return _(OUTCOME_LABELS.get(key, key))


def method_label(key: str) -> str:
    """A lookup method in the user's language."""
    return _(METHOD_LABELS.get(key, key))


def decision_label(key: str) -> str:
    """A case decision (or the state of an undecided case) in the user's language."""
    return _(DECISION_LABELS.get(key, key))


def guard_rule_label(key: str) -> str:
    """A pattern-guard rule in the user's language."""
    return _(GUARD_RULE_LABELS.get(key, key))
