"""``--record DIR``: every request and every data balikan receipt, appended as JSON lines.

- ``requests.jsonl``: one line per request received (method, path, service, status, answer
  code, body keys and size, fault); never a body value, a credential or a full NIK.
- ``receipts.jsonl``: one line per data balikan item received: the masked NIK, keyed digests
  of the NIK and of the whole item, the shape, and whether it was a duplicate.
- ``digest.key``: the random key of those digests (mode 0600). Reading the receipts back gives
  the simulator its duplicate memory after a restart; :class:`RecordKey` lets a test compute
  the digest of a NIK it sent.

Lines are written and flushed before the answer leaves, so an acknowledged item is on file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from app.domain.nik import mask_nik

REQUESTS_FILE = "requests.jsonl"
RECEIPTS_FILE = "receipts.jsonl"
KEY_FILE = "digest.key"


class RecordKey:
    """The digest key of one record directory."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def load(cls, directory: Path, *, create: bool = False) -> RecordKey:
        """The key stored in ``directory`` (made on first use when ``create``)."""
        path = directory / KEY_FILE
        if create and not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w", encoding="ascii") as handle:
                    handle.write(os.urandom(32).hex() + "\n")
        return cls(bytes.fromhex(path.read_text(encoding="ascii").strip()))

    def _digest(self, text: str) -> str:
        return hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def nik(self, nik: str) -> str:
        """The digest of a NIK as it appears in ``receipts.jsonl``."""
        return self._digest("nik:" + nik.strip())

    def item(self, id_lembaga: str, nik: str, params: Iterable[Mapping[str, Any]]) -> str:
        """The digest of one item (agency, NIK, parameters): the duplicate memory's key."""
        canonical = json.dumps([id_lembaga, nik.strip(), list(params)], sort_keys=True)
        return self._digest("item:" + canonical)


def masked(nik: object) -> str | None:
    """A 16-digit NIK masked; anything else reduced to its length."""
    if not isinstance(nik, str | int) or isinstance(nik, bool):
        return None
    text = str(nik).strip()
    if len(text) == 16 and text.isascii() and text.isdigit():
        return mask_nik(text)
    return f"<{len(text)} characters>"


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON-lines file (a torn last line is skipped)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                yield entry


def _open_for_append(path: Path) -> IO[str]:
    """Open a JSON-lines file for appending, ending a line torn by a crash first."""
    torn = False
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as existing:
            existing.seek(-1, os.SEEK_END)
            torn = existing.read(1) != b"\n"
    handle = path.open("a", encoding="utf-8")
    if torn:
        handle.write("\n")
        handle.flush()
    return handle


class Recorder:
    """Appends request and receipt lines to a record directory (thread-safe)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.key = RecordKey.load(directory, create=True)
        self._lock = threading.Lock()
        self._requests = _open_for_append(directory / REQUESTS_FILE)
        self._receipts = _open_for_append(directory / RECEIPTS_FILE)

    def seen_items(self) -> set[str]:
        """Digests of every item received so far (the persisted duplicate memory)."""
        return {
            str(entry["item"])
            for entry in read_lines(self.directory / RECEIPTS_FILE)
            if "item" in entry
        }

    def request(self, entry: Mapping[str, Any]) -> None:
        """Append one request line."""
        self._append(self._requests, entry)

    def receipt(self, entry: Mapping[str, Any]) -> None:
        """Append one receipt line."""
        self._append(self._receipts, entry)

    def _append(self, handle: IO[str], entry: Mapping[str, Any]) -> None:
        line = json.dumps({"at": datetime.now().isoformat(timespec="milliseconds"), **entry})
        with self._lock:
            if handle.closed:
                return
            handle.write(line + "\n")
            handle.flush()

    def close(self) -> None:
        """Close both files."""
        with self._lock:
            self._requests.close()
            self._receipts.close()


@dataclass(frozen=True)
class ReceiptSummary:
    """What a record directory says about data balikan deliveries."""

    requests: int
    balikan_requests: int
    receipts: int
    items: int  # distinct items received
    duplicates: int  # receipts of an item received before ("Data sudah pernah dikirim")
    items_more_than_once: int  # distinct items received two times or more
    shapes: Mapping[str, int] = field(default_factory=dict)
    per_nik: Mapping[str, int] = field(default_factory=dict)  # NIK digest → receipts

    def lines(self) -> list[str]:
        """A short human-readable report."""
        shapes = ", ".join(f"{shape} {count}" for shape, count in sorted(self.shapes.items()))
        return [
            f"requests recorded:            {self.requests}",
            f"data balikan requests:        {self.balikan_requests}",
            f"items received (receipts):    {self.receipts}" + (f" ({shapes})" if shapes else ""),
            f"distinct items:               {self.items}",
            f"duplicate receipts:           {self.duplicates}",
            f"items delivered more than once: {self.items_more_than_once}",
        ]

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain JSON values (without the per-NIK digests)."""
        return {
            "requests": self.requests,
            "balikan_requests": self.balikan_requests,
            "receipts": self.receipts,
            "items": self.items,
            "duplicates": self.duplicates,
            "items_more_than_once": self.items_more_than_once,
            "shapes": dict(self.shapes),
        }


def summarise_records(directory: Path) -> ReceiptSummary:
    """Count requests, items, duplicates and items received more than once."""
    requests = list(read_lines(directory / REQUESTS_FILE))
    receipts = [e for e in read_lines(directory / RECEIPTS_FILE) if "item" in e]
    per_item = Counter(str(e["item"]) for e in receipts)
    return ReceiptSummary(
        requests=len(requests),
        balikan_requests=sum(1 for e in requests if e.get("service") == "balikan_store"),
        receipts=len(receipts),
        items=len(per_item),
        duplicates=sum(1 for e in receipts if e.get("duplicate") is True),
        items_more_than_once=sum(1 for count in per_item.values() if count > 1),
        shapes=dict(Counter(str(e.get("shape")) for e in receipts)),
        per_nik=dict(Counter(str(e.get("nik_digest")) for e in receipts)),
    )
