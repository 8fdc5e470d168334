"""Per-site gateway configuration and the credentials handed in from the secret store.

Both objects hold confidential values (host IPs, consumer id, user id, password), so their
``repr`` never shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

Layout = Literal["consumer", "regional"]
KeyStyle = Literal["default", "upper", "lower"]

_LAYOUTS: frozenset[str] = frozenset({"consumer", "regional"})
_KEY_STYLES: frozenset[str] = frozenset({"default", "upper", "lower"})
_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]+")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class GatewayConfigError(ValueError):
    """The gateway configuration is incomplete or unsafe."""


@dataclass(frozen=True)
class GatewayTimeouts:
    """Timeouts in seconds (integrators use 10–30 s on the shared 1 Mbps link)."""

    connect: float = 10.0
    read: float = 30.0
    write: float = 10.0
    pool: float = 5.0


@dataclass(frozen=True)
class GatewayCredentials:
    """The agency's gateway account, read from the secret store."""

    user_id: str
    password: str
    ip_user: str

    def __repr__(self) -> str:
        return "GatewayCredentials(<hidden>)"


def normalise_sha256(text: str) -> str:
    """Lower-case hex without separators; raises GatewayConfigError if not a SHA-256."""
    value = re.sub(r"[\s:]", "", text).lower()
    if not _SHA256_HEX.fullmatch(value):
        raise GatewayConfigError("the certificate pin is not a SHA-256 fingerprint")
    return value


@dataclass(frozen=True, repr=False)
class GatewayConfig:
    """How to reach one site's gateway.

    ``layout`` "consumer": ``{base}/dukcapil/get_json/{consumer_id}/{method}``;
    "regional" (older): ``{base}/dukcapil/get_json/{region_code}/{instansi}/{method}``.
    HTTPS needs the administrator's imported certificate (``pinned_cert_pem``); an optional
    ``pinned_sha256`` must then match it. Plain http only with ``allow_plain_http``.
    """

    base_url: str
    layout: Layout = "consumer"
    consumer_id: str = ""
    region_code: str = ""
    instansi: str = ""
    lookup_method: str = "CALL_NIK"
    verify_method: str = "CALL_VERIFY_BY_ELEMEN"
    key_style: KeyStyle = "default"
    verify_key_style: KeyStyle = "upper"
    timeouts: GatewayTimeouts = field(default_factory=GatewayTimeouts)
    pinned_cert_pem: str | None = None
    pinned_sha256: str | None = None
    allow_plain_http: bool = False
    verify_threshold: int = 90
    max_response_bytes: int = 1_000_000

    def __post_init__(self) -> None:
        scheme = urlsplit(self.base_url).scheme.lower()
        if scheme not in ("http", "https") or not urlsplit(self.base_url).hostname:
            raise GatewayConfigError("the gateway address must be an http(s) URL with a host")
        if scheme == "http" and not self.allow_plain_http:
            raise GatewayConfigError("plain http needs the explicit allow_plain_http setting")
        if scheme == "https" and not self.pinned_cert_pem:
            raise GatewayConfigError("https needs the gateway certificate imported")
        if self.pinned_sha256 is not None:
            normalise_sha256(self.pinned_sha256)
        if self.layout not in _LAYOUTS:
            raise GatewayConfigError("unknown path layout")
        if self.key_style not in _KEY_STYLES or self.verify_key_style not in _KEY_STYLES:
            raise GatewayConfigError("unknown body key style")
        segments = [self.lookup_method, self.verify_method]
        if self.layout == "consumer":
            segments.append(self.consumer_id)
        else:
            segments += [self.region_code, self.instansi]
        if not all(_SEGMENT.fullmatch(s) for s in segments):
            raise GatewayConfigError("consumer id, region, agency or method name is missing")
        if not 0 <= self.verify_threshold <= 100:
            raise GatewayConfigError("the verification threshold must be 0–100")

    @property
    def is_plain_http(self) -> bool:
        """True when queries travel unencrypted (the status bar says so)."""
        return urlsplit(self.base_url).scheme.lower() == "http"

    def url_for(self, method: str) -> str:
        """The full URL of a gateway method (confidential: never log it)."""
        base = self.base_url.rstrip("/")
        if self.layout == "consumer":
            return f"{base}/dukcapil/get_json/{self.consumer_id}/{method}"
        return f"{base}/dukcapil/get_json/{self.region_code}/{self.instansi}/{method}"

    def __repr__(self) -> str:
        return f"GatewayConfig(layout={self.layout!r}, plain_http={self.is_plain_http})"
