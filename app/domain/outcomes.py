"""What a lookup can end in: the gateway's answers, as kinds the whole app shares."""

from __future__ import annotations

from enum import Enum


class OutcomeKind(Enum):
    """Kinds of gateway answer (see dukcapil-protocol.md §5-6)."""

    FOUND = "found"
    VERIFIED = "verified"
    DECEASED = "deceased"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"
    INACTIVE = "inactive"
    INVALID_FORMAT = "invalid_format"
    LOGIN_FAILED = "login_failed"
    IP_REJECTED = "ip_rejected"
    QUOTA_EXHAUSTED = "quota_exhausted"
    INSTITUTION_INACTIVE = "institution_inactive"
    USER_INACTIVE = "user_inactive"
    ACCESS_TIME = "access_time"
    BAD_REQUEST = "bad_request"
    UNKNOWN = "unknown"


#: Answers that stop every counter until an administrator clears them (R-05).
ACCESS_LOCKOUTS = frozenset(
    {
        OutcomeKind.LOGIN_FAILED,
        OutcomeKind.IP_REJECTED,
        OutcomeKind.INSTITUTION_INACTIVE,
        OutcomeKind.USER_INACTIVE,
    }
)

#: Answers about the resident, i.e. the resident's data was accessed (R-18: balikan owed):
#: every "Data Ditemukan", also when the data cannot be used (deceased, duplicate, inactive).
DATA_ACCESSED = frozenset(
    {
        OutcomeKind.FOUND,
        OutcomeKind.VERIFIED,
        OutcomeKind.DECEASED,
        OutcomeKind.DUPLICATE,
        OutcomeKind.INACTIVE,
    }
)

#: Answers after which the requested document may be issued (R-25: never after DUPLICATE).
ISSUABLE = frozenset({OutcomeKind.FOUND, OutcomeKind.VERIFIED})

#: Kinds an officer may record after looking the NIK up in the web portal (R-24).
PORTAL_RECORDABLE = (
    OutcomeKind.FOUND,
    OutcomeKind.DECEASED,
    OutcomeKind.DUPLICATE,
    OutcomeKind.NOT_FOUND,
    OutcomeKind.INACTIVE,
    OutcomeKind.INVALID_FORMAT,
    OutcomeKind.QUOTA_EXHAUSTED,
    OutcomeKind.LOGIN_FAILED,
    OutcomeKind.USER_INACTIVE,
    OutcomeKind.INSTITUTION_INACTIVE,
)
