"""Signed audit checkpoints: a short code that leaves the database's control.

A checkpoint states "the trail had N records and record N's hash began with H, at time T",
signed with a key derived from the agency's HMAC key. Printed on reports (or by
``loket audit checkpoint``) it is kept on paper, outside the database: a later
``loket audit verify --checkpoint CODE`` proves that records 1..N are still exactly as
they were, so deleting, truncating or re-chaining any of them is detected even by
someone who holds the key (finding a re-written chain that matches 80 bits of the hash
is out of reach).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from app.domain.errors import UserFacingError
from app.domain.i18n import N_

PREFIX = "LKA"
HEAD_CHARS = 20  # 80 bits of the head hash
TAG_CHARS = 8
_STAMP = "%Y%m%d%H%M"
_PATTERN = re.compile(
    rf"^{PREFIX}-(\d{{1,12}})-(\d{{12}})-([0-9A-F]{{{HEAD_CHARS}}})-([0-9A-F]{{{TAG_CHARS}}})$"
)


class CheckpointInvalid(UserFacingError):
    """The code was mistyped, or was not signed with the agency's key."""

    msgid = N_(
        "The checkpoint code is not valid: it was mistyped, or it was not made with this "
        "agency's keys. Type it exactly as printed (LKA-…)."
    )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Record count, the head hash's first 80 bits, the time, and the signature."""

    seq: int
    at: datetime
    head: str
    tag: str

    @property
    def code(self) -> str:
        """The printable code, e.g. ``LKA-1234-202612011615-3F9A…-9D3E1F2A``."""
        return f"{PREFIX}-{self.seq}-{self.at.strftime(_STAMP)}-{self.head}-{self.tag}"

    def matches(self, full_hash: str) -> bool:
        """True when ``full_hash`` (of record ``seq``) is the hash this checkpoint saw."""
        return full_hash.upper().startswith(self.head)


def _tag(key: bytes, seq: int, stamp: str, head: str) -> str:
    message = f"{PREFIX}|{seq}|{stamp}|{head}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:TAG_CHARS].upper()


def sign_checkpoint(key: bytes, seq: int, head_hash: str, at: datetime) -> Checkpoint:
    """A checkpoint of a trail of ``seq`` records whose last hash is ``head_hash``."""
    at = at.replace(second=0, microsecond=0)
    head = head_hash[:HEAD_CHARS].upper()
    return Checkpoint(seq, at, head, _tag(key, seq, at.strftime(_STAMP), head))


def parse_checkpoint(key: bytes, text: str) -> Checkpoint:
    """The checkpoint a code states; :class:`CheckpointInvalid` if malformed or not signed."""
    normalised = re.sub(r"\s+", "", text).upper()
    match = _PATTERN.match(normalised)
    if match is None:
        raise CheckpointInvalid("malformed checkpoint code")
    seq_text, stamp, head, tag = match.groups()
    if not hmac.compare_digest(_tag(key, int(seq_text), stamp, head), tag):
        raise CheckpointInvalid("checkpoint signature does not match")
    try:
        at = datetime.strptime(stamp, _STAMP)
    except ValueError as error:
        raise CheckpointInvalid("checkpoint time is not a date") from error
    return Checkpoint(int(seq_text), at, head, tag)
