"""HTTP client of the data balikan web service (dukcapil-protocol.md section 7).

Two body shapes: one NIK as form fields, or a JSON batch grouped by agency. The answer
is classified into what the sender does next; nothing here logs a NIK, a URL or the token.

Fail closed: no environment proxy or CA bundle is ever consulted (``trust_env`` off); an
``https`` endpoint is reached only through the administrator's pinned certificate (the
gateway's pinned TLS context), never through ordinary CA trust; a TLS or pin failure is
raised as :class:`BalikanTlsError` so the sender stops the whole send at the first one.
Connections are kept alive and shared by the sender's requests in flight.
"""

from __future__ import annotations

import enum
import json
import re
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.services.dukcapil.config import GatewayConfigError
from app.services.dukcapil.tls import PinnedContext, caused_by_tls, pinned_context
from app.services.settings import BalikanSettings

if TYPE_CHECKING:
    import httpx

# httpx is imported where a request is made (a client is built only to send): importing this
# module (the outbox does, at every start) does not load it.

DUPLICATE_TEXT = "data sudah pernah dikirim"
_DIGITS = re.compile(r"[0-9]{6,}")
_RETRY_4XX = frozenset({408, 425, 429})
_AUTH_4XX = frozenset({401, 403})


class Verdict(enum.Enum):
    """What an answer means for the items sent."""

    DELIVERED = "delivered"  # 200 Success
    DUPLICATE = "duplicate"  # 400 "Data sudah pernah dikirim": delivered before
    REJECTED = "rejected"  # another 4xx: a person must look at it
    UNAUTHORISED = "unauthorised"  # 401/403: the token is wrong; nothing is the items' fault
    RETRY = "retry"  # 5xx, timeouts, broken answers: try again later


@dataclass(frozen=True, slots=True)
class StoreAnswer:
    """The classified answer to one ``/api/store`` request."""

    verdict: Verdict
    reason: str
    bytes_moved: int


@dataclass(frozen=True, slots=True)
class OutgoingItem:
    """One item as it goes on the wire (NIK decrypted just for the request)."""

    nik: str
    id_lembaga: str
    nama_lembaga: str
    params: list[dict[str, Any]]


class BalikanSetupError(RuntimeError):
    """The web service cannot be configured (the message names the setting)."""


class BalikanTlsError(RuntimeError):
    """The TLS handshake failed (certificate not the pinned one): nothing was sent."""


def scrub(text: str) -> str:
    """A reason safe to store and show: long digit runs (NIKs) removed, shortened."""
    return _DIGITS.sub("…", " ".join(text.split()))[:200]


def classify(status: int, body: bytes) -> tuple[Verdict, str]:
    """Map an HTTP status and body to a verdict and a short reason."""
    message = ""
    try:
        data = json.loads(body)
        if isinstance(data, dict):
            message = str(data.get("message", ""))
    except (ValueError, RecursionError):
        message = ""
    reason = scrub(f"HTTP {status}" + (f": {message}" if message else ""))
    if status == 200 and message.strip().lower() == "success":
        return Verdict.DELIVERED, reason
    if status == 400 and DUPLICATE_TEXT in message.lower():
        return Verdict.DUPLICATE, reason
    if status in _AUTH_4XX:
        return Verdict.UNAUTHORISED, reason
    if 400 <= status < 500 and status not in _RETRY_4XX:
        return Verdict.REJECTED, reason
    return Verdict.RETRY, reason


def form_body(item: OutgoingItem) -> dict[str, str]:
    """Form fields of the one-NIK shape."""
    return {
        "nik": item.nik,
        "id_lembaga": item.id_lembaga,
        "nama_lembaga": item.nama_lembaga,
        "param": json.dumps(item.params, sort_keys=True),
    }


def batch_body(items: Sequence[OutgoingItem]) -> list[dict[str, Any]]:
    """The JSON batch, grouped by agency in first-seen order."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault((item.id_lembaga, item.nama_lembaga), []).append(
            {"NIK": item.nik, "param": item.params}
        )
    return [
        {"id_lembaga": id_lembaga, "nama_lembaga": nama, "data": data}
        for (id_lembaga, nama), data in groups.items()
    ]


def _size(request: httpx.Request, response: httpx.Response | None) -> int:
    """Approximate bytes on the wire for one exchange (request and answer, with headers)."""
    size = len(request.content) + len(request.method) + len(request.url.raw_path) + 12
    size += sum(len(k) + len(v) + 4 for k, v in request.headers.raw)
    if response is not None:
        size += len(response.content) + 17
        size += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    return size


class BalikanClient:
    """Posts items to ``{base_url}{store_path}`` with the agency's Bearer token.

    ``tls`` is the pinned context an ``https`` URL requires (there is no CA fallback);
    ``connections`` bounds the kept-alive connections shared by requests in flight.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        store_path: str = "/api/store",
        params_path: str = "/api/getparam_bylembaga",
        timeout: float = 30.0,
        tls: PinnedContext | None = None,
        transport: httpx.BaseTransport | None = None,
        connections: int = 4,
        keepalive_seconds: float = 120.0,
    ) -> None:
        if not base_url:
            raise BalikanSetupError("balikan.base_url is not set")
        if transport is None and base_url.lower().startswith("https://") and tls is None:
            raise BalikanSetupError("balikan.base_url: https needs the pinned certificate")
        if tls is not None and not isinstance(tls, PinnedContext):
            raise BalikanSetupError("balikan: only a pinned TLS context is accepted")
        import httpx

        self._store_path = store_path
        self._params_path = params_path
        verify: ssl.SSLContext | bool = tls if tls is not None else False
        root = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._client = httpx.Client(  # the cold path (parameter keys) only
            base_url=root,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            # plain http (allowed explicitly) never verifies; https only against the pin
            verify=verify,
            trust_env=False,  # no proxy variables, no SSL_CERT_FILE: never by environment
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
        )
        # The hot path: requests built once against the absolute URL and handed straight to a
        # transport (no cookies, auth flow, redirects or URL merging per request). Redirects
        # are never followed: a 3xx answer is classified like any other status.
        self._store_url = httpx.URL(root + store_path)
        self._headers = httpx.Headers(headers)
        self._extensions = {"timeout": httpx.Timeout(timeout, connect=min(timeout, 10.0)).as_dict()}

        def one_connection() -> httpx.BaseTransport:
            if transport is not None:
                return transport
            return httpx.HTTPTransport(
                verify=verify,
                trust_env=False,
                limits=httpx.Limits(
                    max_connections=1,
                    max_keepalive_connections=1,
                    keepalive_expiry=keepalive_seconds,
                ),
            )

        # One kept-alive connection per request in flight, each in its own small pool: a
        # shared pool would scan every connection for every request.
        self._one_connection = one_connection
        self._limit = max(1, connections)
        first = one_connection()
        self._idle: list[httpx.BaseTransport] = [first]
        self._every: list[httpx.BaseTransport] = [first]
        self._free = threading.Condition()
        #: An answer came back through this client's pinned route (a TLS refusal clears it):
        #: the sender then opens several connections at once from the first request.
        self.proven = False

    @classmethod
    def from_settings(
        cls,
        settings: BalikanSettings,
        token: str,
        transport: httpx.BaseTransport | None = None,
        *,
        connections: int = 4,
    ) -> BalikanClient:
        """A client for the configured endpoint; ``https`` requires the imported certificate."""
        base = settings.base_url
        tls: PinnedContext | None = None
        scheme = base.split(":", 1)[0].lower()
        if transport is None and scheme == "https":
            if not settings.certificate_file:
                raise BalikanSetupError(
                    "balikan.certificate_file: https needs the web service certificate imported"
                )
            try:
                pem = Path(settings.certificate_file).read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as error:
                reason = getattr(error, "strerror", None) or type(error).__name__
                raise BalikanSetupError(
                    f"balikan.certificate_file cannot be read ({reason})"
                ) from error
            try:
                tls = pinned_context(pem, settings.certificate_sha256 or None)
            except GatewayConfigError as error:
                raise BalikanSetupError(f"balikan.certificate_file: {error}") from error
        elif transport is None and scheme == "http" and not settings.allow_plain_http:
            raise BalikanSetupError("balikan.base_url: plain http is not allowed")
        elif transport is None and scheme not in ("http", "https"):
            raise BalikanSetupError("balikan.base_url must be an http(s) URL")
        return cls(
            base,
            token,
            store_path=settings.store_path,
            params_path=settings.params_path,
            timeout=settings.timeout,
            tls=tls,
            transport=transport,
            connections=connections,
        )

    def prepare_form(self, item: OutgoingItem) -> httpx.Request:
        """The request of one item in the form shape (not sent yet)."""
        import httpx

        return httpx.Request(
            "POST",
            self._store_url,
            headers=self._headers,
            data=form_body(item),
            extensions=self._extensions,
        )

    def prepare_batch(self, items: Sequence[OutgoingItem]) -> httpx.Request:
        """The request of items in the JSON batch shape (not sent yet)."""
        import httpx

        return httpx.Request(
            "POST",
            self._store_url,
            headers=self._headers,
            json=batch_body(items),
            extensions=self._extensions,
        )

    @staticmethod
    def request_bytes(request: httpx.Request) -> int:
        """Approximate bytes the request puts on the wire (line, headers, body)."""
        return _size(request, None)

    def send(self, request: httpx.Request) -> StoreAnswer:
        """Send a prepared request; raises :class:`BalikanTlsError` on a TLS or pin failure."""
        import httpx

        connection = self._take()
        try:
            try:
                response = connection.handle_request(request)
                try:
                    response.read()
                finally:
                    response.close()
            except httpx.TimeoutException:
                return StoreAnswer(Verdict.RETRY, "timeout", _size(request, None))
            except httpx.HTTPError as error:
                if caused_by_tls(error):
                    self.proven = False
                    raise BalikanTlsError(
                        "TLS handshake refused: the certificate is not the pinned one"
                    ) from None
                return StoreAnswer(Verdict.RETRY, scrub(type(error).__name__), _size(request, None))
        finally:
            with self._free:
                self._idle.append(connection)
                self._free.notify()
        self.proven = True
        verdict, reason = classify(response.status_code, response.content)
        return StoreAnswer(verdict, reason, _size(request, response))

    def _take(self) -> httpx.BaseTransport:
        """An idle connection (the most recently used first), or a new one within the bound."""
        with self._free:
            while not self._idle and len(self._every) >= self._limit:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            connection = self._one_connection()
            self._every.append(connection)
            return connection

    def store_form(self, item: OutgoingItem) -> StoreAnswer:
        """Send one item in the form shape."""
        return self.send(self.prepare_form(item))

    def store_batch(self, items: Sequence[OutgoingItem]) -> StoreAnswer:
        """Send items in the JSON batch shape."""
        return self.send(self.prepare_batch(items))

    def param_keys(self) -> list[str]:
        """The agency's agreed ``param`` keys (``getparam_bylembaga``)."""
        import httpx

        try:
            response = self._client.get(self._params_path)
        except httpx.HTTPError as error:
            if caused_by_tls(error):
                raise BalikanSetupError(
                    "getparam_bylembaga: certificate not the pinned one"
                ) from None
            raise BalikanSetupError(
                f"getparam_bylembaga failed ({type(error).__name__})"
            ) from error
        if response.status_code != 200:
            raise BalikanSetupError(f"getparam_bylembaga answered HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as error:
            raise BalikanSetupError("getparam_bylembaga did not answer JSON") from error
        keys = data.get("param") if isinstance(data, dict) else data
        if not isinstance(keys, list):
            raise BalikanSetupError("getparam_bylembaga answered without a param list")
        return [str(key) for key in keys]

    def close(self) -> None:
        """Close the connections."""
        with self._free:
            every, self._every, self._idle = self._every, [], []
        for connection in {id(c): c for c in every}.values():
            connection.close()
        self._client.close()
