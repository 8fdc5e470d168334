"""The real delivery figure of a data balikan run, read from the simulator's record directory.

``loket simulator --record DIR`` (or ``SimulatorConfig(record_dir=DIR)``) appends one receipt
per item received; this compares them with the NIKs the outbox had to deliver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.services.simulator import RecordKey, summarise_records


@dataclass(frozen=True)
class DeliveryFigures:
    """Items owed, lost, received more than once; receipts not owed by this run."""

    owed: int
    lost: int
    more_than_once: int
    receipts: int
    unexpected: int

    @property
    def more_than_once_percent(self) -> float:
        """Items delivered more than once, as a share of the items owed."""
        return 100.0 * self.more_than_once / self.owed if self.owed else 0.0

    def line(self, label: str) -> str:
        """One line for the test report."""
        return (
            f"{label}: {self.owed} items owed, {self.lost} lost, {self.more_than_once} "
            f"delivered more than once ({self.more_than_once_percent:.1f} %), "
            f"{self.receipts} receipts"
        )


def delivery_figures(record_dir: Path, niks: Iterable[str]) -> DeliveryFigures:
    """Compare the receipts in ``record_dir`` with the NIKs that had to be delivered."""
    summary = summarise_records(record_dir)
    key = RecordKey.load(record_dir)
    owed = {key.nik(nik) for nik in niks}
    received = summary.per_nik
    return DeliveryFigures(
        owed=len(owed),
        lost=sum(1 for digest in owed if received.get(digest, 0) == 0),
        more_than_once=sum(1 for digest in owed if received.get(digest, 0) > 1),
        receipts=summary.receipts,
        unexpected=sum(count for digest, count in received.items() if digest not in owed),
    )
