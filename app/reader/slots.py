"""Finding the card slot and the SAM slot among the PC/SC reader names.

The SAM is paired with the card slot by **device identity**, never by list order or by the
first word of the name:

* pcsc-lite names end in ``XX YY`` (reader number, slot number): the two slots of one reader
  are ``… 00 00`` and ``… 00 01`` — same name, same ``XX``, another ``YY``;
* names of multi-interface devices (``Name [Interface] (serial) XX YY`` on Linux,
  ``ACS ACR1281 1S Dual Reader PICC 0`` on Windows) are the same device when they agree once
  the interface part and the slot role words (PICC, SAM, CL, CT, …) are removed — including the
  serial and the Windows instance number;
* ``ReaderConfig.slot_pairs`` names a pair explicitly and wins over everything.

When several readers offer a card slot, a card slot with a SAM on the same device is preferred
(an ACR122U listed first does not hide the ACR1281); every card slot is still watched.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.reader.config import ReaderConfig

_PCSCLITE = re.compile(r"^(?P<dev>.*) (?P<xx>[0-9A-Fa-f]{2}) (?P<yy>[0-9A-Fa-f]{2})$")
_WINDOWS = re.compile(r"^(?P<dev>.*) (?P<n>\d+)$")
_INTERFACE = re.compile(r"\[[^\]]*\]")
_ROLE_WORDS = frozenset(
    {"picc", "icc", "sam", "cl", "ct", "contactless", "contact", "interface", "smartcard",
     "smart", "card", "slot", "dual"}
)
_ROLE_SUFFIX = re.compile(r"^(?P<model>[a-z0-9-]*\d)(cl|ct)$")


@dataclass(frozen=True)
class Slots:
    """The result of discovery. ``refused`` lists virtual readers refused outside demo mode.

    ``card``/``sam`` are the primary pair; ``cards`` every card slot to watch (primary
    first) and ``pairs`` the SAM slot of each card slot that has one.
    """

    card: str | None
    sam: str | None
    refused: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    cards: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()

    def sam_for(self, card: str | None) -> str | None:
        """The SAM slot paired with ``card`` (None when it has none)."""
        for c, s in self.pairs:
            if c == card:
                return s
        return None

    @property
    def watched(self) -> tuple[str, ...]:
        """Every card slot (primary first)."""
        return self.cards or ((self.card,) if self.card else ())


@dataclass(frozen=True)
class DeviceId:
    """What identifies the physical device of a reader name, and the slot within it."""

    device: str
    slot: str


def device_id(name: str) -> DeviceId:
    """The device identity of a reader name (see the module doc)."""
    lowered = name.strip().lower()
    match = _PCSCLITE.match(lowered)
    if match and "[" not in match["dev"]:
        # One interface with several slots: same reader number, another slot number.
        return DeviceId(f"{_base(match['dev'])}#{match['xx']}", match["yy"])
    if match:
        return DeviceId(_base(match["dev"]), f"{match['xx']}:{match['yy']}")
    win = _WINDOWS.match(lowered)
    if win:
        return DeviceId(f"{_base(win['dev'])}#{win['n']}", _role(win["dev"]))
    return DeviceId(_base(lowered), _role(lowered))


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9()+-]+", _INTERFACE.sub(" ", text))


def _base(text: str) -> str:
    """The name without interface part and role words (``5422CL`` → ``5422``)."""
    out = []
    for token in _tokens(text):
        if token in _ROLE_WORDS:
            continue
        suffix = _ROLE_SUFFIX.match(token)
        out.append(suffix["model"] if suffix else token)
    return " ".join(out)


def _role(text: str) -> str:
    return " ".join(t for t in _tokens(text) if t in _ROLE_WORDS or _ROLE_SUFFIX.match(t))


def same_device(a: str, b: str) -> bool:
    """Whether two reader names are slots of one physical device."""
    return a != b and device_id(a).device == device_id(b).device


def is_virtual(name: str, markers: Iterable[str]) -> bool:
    """Whether the reader's name says it is not real hardware."""
    lowered = name.lower()
    return any(marker.lower() in lowered for marker in markers)


def _matches(name: str, patterns: Sequence[str]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in patterns)


def _candidates(names: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """Names matching the patterns, in pattern order (pattern order is priority order)."""
    out: list[str] = []
    for pattern in patterns:
        for name in names:
            if name not in out and _matches(name, (pattern,)):
                out.append(name)
    return out


def discover(names: Sequence[str], config: ReaderConfig) -> Slots:
    """Pick the card and SAM slots from ``names``: configured pairs, then device identity.

    Virtual readers are refused unless ``config.allow_virtual``.
    """
    refused = tuple(
        n for n in names if not config.allow_virtual and is_virtual(n, config.virtual_markers)
    )
    usable = [n for n in names if n not in refused]
    sams = _candidates(usable, config.sam_slot_patterns)
    cards = [n for n in _candidates(usable, config.card_slot_patterns) if n not in sams]
    pairs: list[tuple[str, str]] = []
    for card, sam in config.slot_pairs:
        if card in usable and sam in usable:
            pairs.append((card, sam))
            if card not in cards:
                cards.insert(0, card)
    for card in cards:
        if any(c == card for c, _s in pairs):
            continue
        on_device = [s for s in sams if same_device(card, s)]
        if len(on_device) == 1:
            pairs.append((card, on_device[0]))
    paired = [c for c in cards if any(c == p for p, _s in pairs)]
    configured = [c for c, _s in config.slot_pairs if c in paired]
    ordered = configured + [c for c in paired if c not in configured]
    ordered += [c for c in cards if c not in ordered]
    primary = ordered[0] if ordered else None
    primary_sam = dict(pairs).get(primary) if primary else None
    if primary is not None and primary_sam is None:
        # No SAM on the card's device: a single SAM slot anywhere is unambiguous.
        others_sams = [s for s in sams if s != primary]
        if len(others_sams) == 1:
            primary_sam = others_sams[0]
            pairs.append((primary, primary_sam))
    used = set(ordered) | {s for _c, s in pairs}
    others = tuple(n for n in usable if n not in used)
    return Slots(
        card=primary,
        sam=primary_sam,
        refused=refused,
        others=others,
        cards=tuple(ordered),
        pairs=tuple(pairs),
    )
