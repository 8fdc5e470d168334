"""HTTP client of the data balikan web service (dukcapil-protocol.md section 7).

Two body shapes: one NIK as form fields, or a JSON batch grouped by agency. The answer
is classified into what the sender does next; nothing here logs a NIK, a URL or the token.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.services.dukcapil.tls import pinned_context
from app.services.settings import BalikanSettings

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
    """Posts items to ``{base_url}{store_path}`` with the agency's Bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        store_path: str = "/api/store",
        params_path: str = "/api/getparam_bylembaga",
        timeout: float = 30.0,
        verify: Any = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url:
            raise BalikanSetupError("balikan.base_url is not set")
        self._store_path = store_path
        self._params_path = params_path
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            verify=verify,
            transport=transport,
            follow_redirects=False,
        )

    @classmethod
    def from_settings(
        cls, settings: BalikanSettings, token: str, transport: httpx.BaseTransport | None = None
    ) -> BalikanClient:
        """A client for the configured endpoint; TLS pinned when a certificate is imported."""
        base = settings.base_url
        verify: Any = True
        if transport is None and base.startswith("https://") and settings.certificate_file:
            try:
                pem = Path(settings.certificate_file).read_text(encoding="ascii")
            except OSError as error:
                raise BalikanSetupError(
                    f"balikan.certificate_file cannot be read ({error.strerror})"
                ) from error
            verify = pinned_context(pem, settings.certificate_sha256 or None)
        elif transport is None and base.startswith("http://") and not settings.allow_plain_http:
            raise BalikanSetupError("balikan.base_url: plain http is not allowed")
        return cls(
            base,
            token,
            store_path=settings.store_path,
            params_path=settings.params_path,
            timeout=settings.timeout,
            verify=verify,
            transport=transport,
        )

    def _post(self, **kwargs: Any) -> StoreAnswer:
        request = self._client.build_request("POST", self._store_path, **kwargs)
        try:
            response = self._client.send(request)
            response.read()
        except httpx.TimeoutException:
            return StoreAnswer(Verdict.RETRY, "timeout", _size(request, None))
        except httpx.HTTPError as error:
            return StoreAnswer(Verdict.RETRY, scrub(type(error).__name__), _size(request, None))
        verdict, reason = classify(response.status_code, response.content)
        return StoreAnswer(verdict, reason, _size(request, response))

    def store_form(self, item: OutgoingItem) -> StoreAnswer:
        """Send one item in the form shape."""
        return self._post(data=form_body(item))

    def store_batch(self, items: Sequence[OutgoingItem]) -> StoreAnswer:
        """Send items in the JSON batch shape."""
        return self._post(json=batch_body(items))

    def param_keys(self) -> list[str]:
        """The agency's agreed ``param`` keys (``getparam_bylembaga``)."""
        try:
            response = self._client.get(self._params_path)
        except httpx.HTTPError as error:
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
        self._client.close()
