"""What the case service needs from the gateway client (the only path to Dukcapil)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from app.domain.outcomes import OutcomeKind


@dataclass
class GatewayAnswer:
    """One answer, already filtered to the permitted elements by the client."""

    kind: OutcomeKind
    code: str | None = None
    message: str | None = None
    quota_left: int | None = None
    record: dict[str, object] | None = None
    verdicts: Mapping[str, tuple[bool, int]] | None = None
    guidance: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def wipe(self) -> None:
        """Forget the record (zero storage: memory only, and only while needed)."""
        if self.record is not None:
            self.record.clear()
            self.record = None


class GatewayTransportError(Exception):
    """The request failed on the way (timeout, TLS, HTTP error, non-JSON)."""

    def __init__(self, detail: str, *, may_have_reached: bool = True) -> None:
        super().__init__(detail)
        self.detail = detail
        self.may_have_reached = may_have_reached


class GatewayPort(Protocol):
    """Lookup and verify-by-element, one request per call, never retried once sent."""

    def lookup(self, nik: str) -> GatewayAnswer:
        """Query by NIK."""

    def verify(self, nik: str, elements: Mapping[str, str]) -> GatewayAnswer:
        """Verify the given elements against the registry."""
