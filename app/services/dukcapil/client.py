"""The gateway client: one request per call, answers classified and filtered on receipt.

Rules kept here:
- a query is never retried once it may have reached the gateway (every hit costs quota);
  only a connection that failed before anything was sent is tried once more;
- a FOUND record is filtered through the agreement profile at once and the raw body is
  dropped; callers only ever get a :class:`PermittedRecord`;
- logs carry the masked NIK, the outcome and timings, never a URL, a field or a body
  (the httpx/httpcore loggers, which print URLs, are held at WARNING by
  ``app.services.logging_setup.configure_logging``).
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.domain.nik import Nik, mask_nik
from app.services.dukcapil.classify import classify_response
from app.services.dukcapil.config import GatewayConfig, GatewayCredentials
from app.services.dukcapil.errors import TransportError, TransportFailure
from app.services.dukcapil.guidance import Guidance, guidance_for
from app.services.dukcapil.normalise import normalise_value
from app.services.dukcapil.outcomes import Outcome, OutcomeKind, Verdict
from app.services.dukcapil.profiles import AgreementProfile
from app.services.dukcapil.record import PermittedRecord
from app.services.dukcapil.tls import caused_by_tls, pinned_context

if TYPE_CHECKING:
    import httpx

    from app.services.dukcapil.warm import WarmBackend

# httpx (and httpcore, with the warm connection) are imported when the first query is sent,
# not when the client is built: an application start does not wait for them.

log = logging.getLogger(__name__)
# httpx logs every request line with its URL (confidential IPs and consumer id): keep it quiet
# even where the application did not configure logging.
for _name in ("httpx", "httpcore"):
    if logging.getLogger(_name).level < logging.WARNING:
        logging.getLogger(_name).setLevel(logging.WARNING)

_CREDENTIAL_KEYS: Mapping[str, tuple[str, str, str, str]] = {
    # style: (nik, user id, password, client ip)
    "default": ("nik", "user_id", "password", "IP_USER"),
    "upper": ("NIK", "USER_ID", "PASSWORD", "IP_USER"),
    "lower": ("nik", "user_id", "password", "ip_user"),
}
#: Idle connections are kept this long on our side; the gateway's own idle timeout is shorter
#: and covered by the spare connection (:mod:`app.services.dukcapil.warm`).
KEEPALIVE_SECONDS = 900.0


class NotPermittedError(RuntimeError):
    """The agreement profile does not grant this kind of query or element."""


@dataclass(frozen=True)
class GatewayResult:
    """What the officer needs from one answer: the kind, the gateway's code/text, guidance."""

    kind: OutcomeKind
    code: str | None
    message: str | None
    quota_left: int | None
    guidance: Guidance


@dataclass(frozen=True)
class LookupResult(GatewayResult):
    """A lookup answer; ``record`` holds the permitted elements (FOUND only)."""

    record: PermittedRecord | None = None


@dataclass(frozen=True)
class VerifyResult(GatewayResult):
    """A verify-by-element answer; ``verdicts`` covers the elements sent (VERIFIED only)."""

    verdicts: Mapping[str, Verdict] = field(default_factory=dict)


class DukcapilClient:
    """Lookup by NIK and verify by element against one site's gateway."""

    def __init__(
        self,
        config: GatewayConfig,
        credentials: GatewayCredentials,
        profile: AgreementProfile,
        *,
        transport: httpx.BaseTransport | Callable[[], httpx.BaseTransport] | None = None,
        keep_warm: bool = True,
    ) -> None:
        """``transport``: a transport, or a function making one when the first query is sent
        (the demo's in-process simulator); None: the network, pinned to the certificate."""
        self._config = config
        self._credentials = credentials
        self._profile = profile
        self._verify: ssl.SSLContext | bool = False  # plain http (explicitly allowed) only
        if not config.is_plain_http:
            assert config.pinned_cert_pem is not None  # enforced by GatewayConfig
            self._verify = pinned_context(config.pinned_cert_pem, config.pinned_sha256)
        self._transport = transport
        self._keep_warm = keep_warm
        self._warm: WarmBackend | None = None
        self._http_client: httpx.Client | None = None
        self._http_lock = threading.Lock()
        self._closed = False

    @property
    def _http(self) -> httpx.Client:
        """The HTTP client, made on first use."""
        with self._http_lock:
            if self._http_client is None:
                if self._closed:
                    raise RuntimeError("the gateway client is closed")
                self._http_client = self._make_http()
            return self._http_client

    def _make_http(self) -> httpx.Client:
        import httpx

        transport = self._transport
        if callable(transport):
            transport = transport()
        if transport is None and self._keep_warm:
            transport, self._warm = _warm_transport(self._config, self._verify)
        t = self._config.timeouts
        return httpx.Client(
            verify=self._verify,
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
            trust_env=False,  # never an environment proxy on the closed network
            follow_redirects=False,
            transport=transport,
            headers={"Accept": "application/json"},
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
        )

    def warm(self) -> None:
        """Have a connection ready for the next query (e.g. when a case opens)."""
        self._http  # noqa: B018 - made now (off the officer's wait), with its spare connection
        if self._warm is not None:
            self._warm.warm()

    @property
    def is_plain_http(self) -> bool:
        """True when queries travel unencrypted (the status bar says so)."""
        return self._config.is_plain_http

    @property
    def profile(self) -> AgreementProfile:
        """The agreement profile applied to every answer."""
        return self._profile

    def close(self) -> None:
        """Close the connection pool (and the spare connection)."""
        with self._http_lock:
            self._closed = True
            client, self._http_client = self._http_client, None
        if self._warm is not None:
            self._warm.close()
        if client is not None:
            client.close()

    def __enter__(self) -> DukcapilClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, nik: str | Nik) -> LookupResult:
        """Query one NIK; a FOUND record comes back filtered to the permitted elements."""
        if not self._profile.lookup:
            raise NotPermittedError("this agreement does not permit lookup by NIK")
        nik_value = _nik_text(nik)
        body = self._identity(self._config.key_style, nik_value)
        outcome = self._call(self._config.lookup_method, body, "lookup", nik_value)
        record: PermittedRecord | None = None
        kind = outcome.kind
        if kind is OutcomeKind.FOUND:
            raw = outcome.record
            assert raw is not None
            if normalise_value("NIK", raw.get("NIK")) == nik_value:
                record = self._profile.filter_record(raw)
            else:
                kind = OutcomeKind.UNKNOWN
                log.warning("gateway lookup answered for a different NIK; record dropped")
            raw.clear()
        elif kind is OutcomeKind.VERIFIED:
            kind = OutcomeKind.UNKNOWN
        return LookupResult(
            kind=kind,
            code=outcome.code,
            message=outcome.message,
            quota_left=outcome.quota_left,
            guidance=guidance_for(kind, outcome.code),
            record=record,
        )

    def verify(
        self,
        nik: str | Nik,
        elements: Mapping[str, str | date],
        threshold: int | None = None,
    ) -> VerifyResult:
        """Verify by element: ``elements`` maps gateway keys (e.g. NAMA_LGKP) to document values."""
        if not self._profile.verify:
            raise NotPermittedError("this agreement does not permit verify by element")
        not_permitted = set(elements) - self._profile.verify_keys
        if not_permitted:
            raise NotPermittedError(f"elements not in the agreement: {sorted(not_permitted)}")
        nik_value = _nik_text(nik)
        limit = self._config.verify_threshold if threshold is None else threshold
        if not 0 <= limit <= 100:
            raise ValueError("threshold must be 0–100")
        body = self._identity(self._config.verify_key_style, nik_value)
        body["TRESHOLD"] = str(limit)  # sic: the gateway's spelling
        for key, value in elements.items():
            if key.upper() == "NIK":
                continue
            body[key] = value.strftime("%d-%m-%Y") if isinstance(value, date) else value.strip()
        outcome = self._call(self._config.verify_method, body, "verify", nik_value)
        kind = outcome.kind
        verdicts: dict[str, Verdict] = {}
        if kind is OutcomeKind.VERIFIED:
            assert outcome.verdicts is not None
            sent = {key.upper() for key in elements} | {"NIK"}
            verdicts = {k: v for k, v in outcome.verdicts.items() if k in sent}
        elif kind is OutcomeKind.FOUND:
            assert outcome.record is not None
            outcome.record.clear()
            kind = OutcomeKind.UNKNOWN
        return VerifyResult(
            kind=kind,
            code=outcome.code,
            message=outcome.message,
            quota_left=outcome.quota_left,
            guidance=guidance_for(kind, outcome.code),
            verdicts=verdicts,
        )

    def _identity(self, style: str, nik: str) -> dict[str, str]:
        """NIK and credentials under the key names of ``style``."""
        nik_key, user_key, password_key, ip_key = _CREDENTIAL_KEYS[style]
        return {
            nik_key: nik,
            user_key: self._credentials.user_id,
            password_key: self._credentials.password,
            ip_key: self._credentials.ip_user,
        }

    def _call(self, method: str, body: Mapping[str, str], what: str, nik: str) -> Outcome:
        started = time.perf_counter()
        try:
            data = self._post(self._config.url_for(method), _encode(body))
        except TransportError as exc:
            log.warning("gateway %s %s: %s", what, mask_nik(nik), exc.failure.value)
            raise
        outcome = classify_response(_decode(data))
        del data
        log.info(
            "gateway %s %s: %s code=%s quota_left=%s (%.0f ms)",
            what,
            mask_nik(nik),
            outcome.kind.name,
            outcome.code,
            outcome.quota_left,
            (time.perf_counter() - started) * 1000,
        )
        return outcome

    def _post(self, url: str, content: bytes) -> bytes:
        """POST once; retry once only if the connection failed before anything was sent."""
        import httpx

        connect_errors = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
        for attempt in (1, 2):
            try:
                return self._send(url, content)
            except connect_errors as exc:
                if _caused_by_tls(exc):
                    raise TransportError(TransportFailure.TLS) from None
                if attempt == 2:
                    raise TransportError(TransportFailure.CONNECT) from None
            except httpx.TimeoutException:
                raise TransportError(TransportFailure.TIMEOUT) from None
            except httpx.HTTPError as exc:
                raise TransportError(TransportFailure.PROTOCOL, type(exc).__name__) from None
        raise AssertionError("unreachable")

    def _send(self, url: str, content: bytes) -> bytes:
        limit = self._config.max_response_bytes
        headers = {"Content-Type": "application/json"}
        with self._http.stream("POST", url, content=content, headers=headers) as response:
            if response.status_code != 200:  # HTTP OK
                raise TransportError(TransportFailure.HTTP_STATUS, status=response.status_code)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TransportError(TransportFailure.TOO_LARGE)
                chunks.append(chunk)
        if self._warm is not None:
            self._warm.warm()  # the gateway answered: keep a connection ready for the next
        return b"".join(chunks)


def _warm_transport(
    config: GatewayConfig, verify: ssl.SSLContext | bool
) -> tuple[httpx.BaseTransport | None, WarmBackend | None]:
    """An HTTP transport whose pool draws on a spare connection kept warm to the gateway."""
    import httpcore
    import httpx

    from app.services.dukcapil.warm import WarmBackend

    parts = urlsplit(config.base_url)
    host = parts.hostname
    if host is None:
        return None, None
    context = verify if isinstance(verify, ssl.SSLContext) else None
    port = parts.port or (80 if context is None else 443)
    limits = httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS)
    transport = httpx.HTTPTransport(verify=verify, trust_env=False, limits=limits)
    if not hasattr(transport, "_pool"):  # another httpx layout: plain keep-alive only
        return transport, None
    backend = WarmBackend(host, port, context, connect_timeout=config.timeouts.connect)
    pool = httpcore.ConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend,
    )
    transport._pool = pool
    return transport, backend


def _nik_text(nik: str | Nik) -> str:
    value = nik if isinstance(nik, str) else nik.value
    value = value.strip()
    if len(value) != 16 or not (value.isascii() and value.isdigit()):
        raise ValueError("a NIK has 16 digits")
    return value


def _encode(body: Mapping[str, str]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _decode(data: bytes) -> Mapping[str, Any]:
    """Parse the body: numbers stay exact (ints, Decimal), never float."""
    try:
        payload = json.loads(
            data.decode("utf-8-sig"), parse_float=Decimal, parse_constant=_reject_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TransportError(TransportFailure.NOT_JSON) from None
    if isinstance(payload, list):
        return {"content": payload}
    if isinstance(payload, dict):
        return payload
    raise TransportError(TransportFailure.NOT_JSON, "not a JSON object")


def _caused_by_tls(exc: BaseException) -> bool:
    return caused_by_tls(exc)
