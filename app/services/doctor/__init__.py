"""``loket doctor``: the technician's diagnosis of one counter, line by line.

Every line is ``ok``, ``warning`` or ``error`` with what was found and what to do. The lines
never carry a secret (only whether it is set) nor population data (only counts and
configuration). The reader check is handed in by the caller, because services do not import
the reader layer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import Enum

from app.domain.i18n import _


class Status(Enum):
    """How one line stands."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Check:
    """One diagnosed item: what was found, and what to do when it is not ok."""

    name: str
    status: Status
    found: str
    action: str = ""

    def as_dict(self) -> dict[str, str]:
        """JSON-ready."""
        data = asdict(self)
        data["status"] = self.status.value
        return data


def ok(name: str, found: str) -> Check:
    """An ``ok`` line."""
    return Check(name, Status.OK, found)


def warning(name: str, found: str, action: str) -> Check:
    """A ``warning`` line."""
    return Check(name, Status.WARNING, found, action)


def error(name: str, found: str, action: str) -> Check:
    """An ``error`` line."""
    return Check(name, Status.ERROR, found, action)


def utc_now() -> datetime:
    """The machine's clock in UTC (replaceable in tests)."""
    return datetime.now(UTC)


@dataclass
class DoctorReport:
    """All lines of one run."""

    checks: list[Check] = field(default_factory=list)

    def extend(self, checks: Iterable[Check]) -> None:
        """Add lines."""
        self.checks.extend(checks)

    @property
    def worst(self) -> Status:
        """The worst status of any line."""
        statuses = {check.status for check in self.checks}
        for status in (Status.ERROR, Status.WARNING):
            if status in statuses:
                return status
        return Status.OK

    def to_json(self) -> str:
        """``{"status": …, "checks": [...]}``."""
        return json.dumps(
            {"status": self.worst.value, "checks": [c.as_dict() for c in self.checks]},
            ensure_ascii=False,
            indent=2,
        )

    def to_text(self) -> str:
        """One line per check, the action indented under it."""
        labels = {Status.OK: "ok", Status.WARNING: "WARNING", Status.ERROR: "ERROR"}
        lines: list[str] = []
        for check in self.checks:
            lines.append(f"[{labels[check.status]:>7}] {check.name}: {check.found}")
            if check.action:
                lines.append(f"          -> {check.action}")
        summary = {
            Status.OK: _("Everything checked is in order."),
            Status.WARNING: _("Some items need attention (warnings)."),
            Status.ERROR: _("The counter cannot work as configured (errors)."),
        }[self.worst]
        lines.append(summary)
        return "\n".join(lines)


ReaderProbe = Callable[[], list[Check]]
