"""Finding the card slot and the SAM slot among the PC/SC reader names."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.reader.config import ReaderConfig


@dataclass(frozen=True)
class Slots:
    """The result of discovery. ``refused`` lists virtual readers refused outside demo mode."""

    card: str | None
    sam: str | None
    refused: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


def is_virtual(name: str, markers: Iterable[str]) -> bool:
    """Whether the reader's name says it is not real hardware."""
    lowered = name.lower()
    return any(marker.lower() in lowered for marker in markers)


def _matches(name: str, patterns: Sequence[str]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in patterns)


def _first(names: Sequence[str], patterns: Sequence[str]) -> str | None:
    """The first name matching the earliest pattern (pattern order is priority order)."""
    for pattern in patterns:
        for name in names:
            if _matches(name, (pattern,)):
                return name
    return None


def discover(names: Sequence[str], config: ReaderConfig) -> Slots:
    """Pick the card and SAM slots from ``names`` by the configured patterns.

    Virtual readers are refused unless ``config.allow_virtual``. When two physical readers
    match, the first in pattern order wins and the SAM is preferably taken from the same
    device (the same name prefix) as the card slot.
    """
    refused = tuple(
        n for n in names if not config.allow_virtual and is_virtual(n, config.virtual_markers)
    )
    usable = [n for n in names if n not in refused]
    card = _first(usable, config.card_slot_patterns)
    sam_candidates = [n for n in usable if n != card]
    sam = _first(_same_device_first(sam_candidates, card), config.sam_slot_patterns)
    others = tuple(n for n in usable if n not in (card, sam))
    return Slots(card=card, sam=sam, refused=refused, others=others)


def _same_device_first(names: list[str], card: str | None) -> list[str]:
    if card is None:
        return names
    prefix = card.split(" ")[0].lower()
    return sorted(names, key=lambda n: 0 if n.lower().startswith(prefix) else 1)
