"""What a gateway answer means: the outcome kinds and the classified answer."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple


class OutcomeKind(enum.Enum):
    """The kinds of answer the gateway gives (protocol §5, requirements R-04/R-05)."""

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

    @property
    def blocks_until_reset(self) -> bool:
        """The agency's own access is broken: no further queries until an administrator acts."""
        return self in _BLOCK_UNTIL_RESET

    @property
    def blocks_until_tomorrow(self) -> bool:
        """The daily quota is used up: no further queries today."""
        return self is OutcomeKind.QUOTA_EXHAUSTED

    @property
    def is_person_answer(self) -> bool:
        """The answer is about the person asked for (R-04), not about the agency's access."""
        return self in _PERSON_ANSWERS


_BLOCK_UNTIL_RESET = frozenset(
    {
        OutcomeKind.LOGIN_FAILED,
        OutcomeKind.IP_REJECTED,
        OutcomeKind.INSTITUTION_INACTIVE,
        OutcomeKind.USER_INACTIVE,
    }
)
_PERSON_ANSWERS = frozenset(
    {
        OutcomeKind.FOUND,
        OutcomeKind.VERIFIED,
        OutcomeKind.DECEASED,
        OutcomeKind.DUPLICATE,
        OutcomeKind.NOT_FOUND,
        OutcomeKind.INACTIVE,
        OutcomeKind.INVALID_FORMAT,
    }
)


class Verdict(NamedTuple):
    """One verify-by-element result: does the element match, and how well (0–100)."""

    matches: bool
    score: int


@dataclass(frozen=True)
class Outcome:
    """A classified gateway answer.

    ``record`` (FOUND only) is the raw record and must not leave ``app.services.dukcapil``:
    the client filters it through the agreement profile at once. It is kept out of ``repr``.
    """

    kind: OutcomeKind
    code: str | None = None
    message: str | None = None
    quota_left: int | None = None
    record: dict[str, object] | None = field(default=None, repr=False)
    verdicts: Mapping[str, Verdict] | None = None
