"""The classified gateway answer (the outcome kinds are the domain's :class:`OutcomeKind`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from app.domain.outcomes import OutcomeKind

__all__ = ["Outcome", "OutcomeKind", "Verdict"]


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
