"""The gateway simulator: Dukcapil lookup, verify by element and data balikan, wire-faithful.

:class:`GatewaySimulator` answers :class:`SimRequest` objects; it is also a WSGI app and
gives an in-process httpx transport. It refuses to exist in production mode.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from rapidfuzz import fuzz, utils

from app.domain.nik import NikError, parse_nik
from app.services.simulator.faults import Fault, FaultPlan
from app.services.simulator.population import (
    Person,
    Population,
    Status,
    build_population,
    wire_record,
)

if TYPE_CHECKING:
    from app.services.simulator.transport import SimulatorTransport

ALLOWED_MODES = frozenset({"demo", "test"})


class SimulatorRefusedError(RuntimeError):
    """The simulator may not run in this mode (production)."""


def ensure_simulator_allowed(mode: str) -> None:
    """Raise unless ``mode`` is demo or test: the simulator never runs in production."""
    if mode not in ALLOWED_MODES:
        raise SimulatorRefusedError(f"the gateway simulator does not run in {mode!r} mode")


@dataclass(frozen=True)
class SimulatorAccount:
    """The credentials and identity the simulated gateway expects (synthetic)."""

    user_id: str = "DEMO-USER"
    password: str = "demo-password"  # noqa: S105 - synthetic demo credential
    ip_user: str = "10.10.0.68"
    consumer_id: str = "DEMO01"
    region_code: str = "33-03"
    instansi: str = "BAPPELITBANGDA"
    institution_active: bool = True
    user_active: bool = True


@dataclass(frozen=True)
class Dialect:
    """How one generation of gateway phrases answers without data."""

    codes: bool = True  # RESPONSE_CODE present
    pad_codes: bool = True  # "05" rather than "5"
    message_keys: tuple[str, ...] = ("RESPONSE",)
    quota_limiter: bool = True
    alternative_texts: bool = False  # the other spelling seen in the field
    ip_code: str = "04"


DIALECTS: Mapping[str, Dialect] = {
    "modern": Dialect(),
    "unpadded": Dialect(pad_codes=False, message_keys=("RESPONSE_DESC",), ip_code="10"),
    "both-keys": Dialect(message_keys=("RESPON", "RESPONSE"), alternative_texts=True),
    "legacy": Dialect(
        codes=False, message_keys=("RESPON",), quota_limiter=False, alternative_texts=True
    ),
}

# code → (usual text, alternative text seen in the field)
TEXTS: Mapping[str, tuple[str, str]] = {
    "03": ("Login Gagal", "Gagal Login"),
    "04": ("IP Address Tidak Sesuai", "IP Client  Tidak terdaftar"),
    "05": ("Kuota Akses Hari Ini Telah Habis", "Kuota Akses Hari ini telah Habis"),
    "06": ("Akses Di Luar Jam Layanan", "Akses Di Luar Jam Layanan"),
    "07": ("Parameter Tidak Lengkap / Tidak Valid", "Parameter Tidak Lengkap / Tidak Valid"),
    "08": ("NIK Tidak Dapat Diproses", "NIK Tidak Dapat Diproses"),
    "09": ("User, password dan IP tidak boleh kosong", "User, password dan IP tidak boleh kosong"),
    "10": ("IP Client Tidak terdaftar", "IP Tidak Sesuai"),
    "11": ("Data Ditemukan, Meninggal Dunia", "Data Ditemukan, Meninggal Dunia"),
    "12": ("Data Ditemukan, Data Ganda", "Data Ditemukan, Data Ganda"),
    "13": (
        "Data Tidak Ditemukan, NIK tidak terdapat di database Kependudukan",
        "Data Tidak Ditemukan!",
    ),
    "14": (
        "Data Ditemukan, Status Non Aktif silahkan hubungi Dinas Dukcapil",
        "Data Ditemukan, Status Tidak Aktif silakan hubungi Dinas Dukcapil",
    ),
    "15": (
        "Data Tidak Ditemukan, NIK tidak sesuai format Dukcapil",
        "Data Tidak Ditemukan, NIK tidak sesuai format Dukcapil",
    ),
    "16": ("Instansi Tidak Aktif", "Instansi Tidak Aktif"),
    "17": ("User ID Tidak Aktif", "User ID non aktif, silahkan menghubungi Admin"),
}

_STATUS_CODES = {Status.DECEASED: "11", Status.DUPLICATE: "12", Status.INACTIVE: "14"}
_FUZZY_KEYS = frozenset({"NAMA_LGKP", "TMPT_LHR", "ALAMAT", "NAMA_LGKP_IBU"})
_IDENTITY_KEYS = ("USER_ID", "PASSWORD", "IP_USER")
_CREDENTIAL_KEYS = frozenset({"NIK", "TRESHOLD", *_IDENTITY_KEYS})
_LOOKUP_METHODS = frozenset({"call_nik"})
_VERIFY_METHODS = frozenset({"call_verify_by_elemen", "nik_verifby_elemen"})
_HTML_ERROR = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


@dataclass(frozen=True)
class BalikanSetup:
    """The simulated data balikan service of one agency."""

    prefix: str = "/data_balikan/public"
    token: str = "demo-balikan-token-0123456789abcdef"  # noqa: S105 - synthetic
    id_lembaga: str = "330301"
    params: tuple[str, ...] = ("NO_PENERIMA", "JENIS_PROGRAM")


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything the simulated gateway is configured with."""

    seed: int = 20250916
    population_size: int = 3000
    account: SimulatorAccount = field(default_factory=SimulatorAccount)
    dialect: str = "modern"
    daily_quota: int | None = 200
    access_hours: tuple[int, int] | None = None  # [start, end) local hours
    balikan: BalikanSetup = field(default_factory=BalikanSetup)


@dataclass(frozen=True)
class SimRequest:
    """One HTTP request as the simulator sees it."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass(frozen=True)
class SimResponse:
    """One answer; ``fault`` tells the transport how to break it."""

    status: int
    body: bytes
    content_type: str = "application/json"
    fault: Fault | None = None


@dataclass(frozen=True)
class RecordedQuery:
    """A gateway query the simulator received (tests check counts and bodies)."""

    service: str  # "lookup" | "verify"
    nik: str | None
    body_keys: tuple[str, ...]
    answer_code: str | None


@dataclass(frozen=True)
class BalikanDelivery:
    """One data balikan item received."""

    shape: str  # "form" | "batch"
    id_lembaga: str
    nik: str
    params: tuple[Mapping[str, Any], ...]
    duplicate: bool


class GatewaySimulator:
    """The simulated gateway and data balikan service."""

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        mode: str,
        faults: FaultPlan | None = None,
        clock: Callable[[], datetime] = datetime.now,
        population: Population | None = None,
    ) -> None:
        ensure_simulator_allowed(mode)
        self.config = config or SimulatorConfig()
        if self.config.dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {self.config.dialect!r}")
        self.dialect = DIALECTS[self.config.dialect]
        self.faults = faults or FaultPlan()
        self.population = population or build_population(
            self.config.seed, self.config.population_size
        )
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[date, int] = {}
        self._balikan_seen: set[tuple[str, str, str]] = set()
        self.received = 0  # every request that reached the simulator, faults included
        self.queries: list[RecordedQuery] = []
        self.balikan: list[BalikanDelivery] = []

    # -- entry points -----------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (faults included)."""
        with self._lock:
            self.received += 1
        fault = self.faults.take()
        if fault is Fault.HTTP_500:
            return SimResponse(500, _HTML_ERROR, "text/html")
        if fault is Fault.NON_JSON:
            return SimResponse(200, _HTML_ERROR, "text/html")
        response = self._route(request)
        if fault is not None:
            return SimResponse(response.status, response.body, response.content_type, fault)
        return response

    def __call__(
        self, environ: Mapping[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """WSGI entry point (faults that break the connection become a 502 here)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        request = SimRequest(
            method=str(environ.get("REQUEST_METHOD", "GET")),
            path=str(environ.get("PATH_INFO", "/")),
            query=str(environ.get("QUERY_STRING", "")),
            headers=headers,
            body=environ["wsgi.input"].read(length) if length else b"",
        )
        response = self.handle(request)
        status, body = response.status, response.body
        if response.fault is not None:
            status, body = 502, _HTML_ERROR
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", response.content_type), ("Content-Length", str(len(body)))],
        )
        return [body]

    def transport(self) -> SimulatorTransport:
        """An in-process httpx transport onto this simulator (link shaping and faults apply)."""
        from app.services.simulator.transport import SimulatorTransport

        return SimulatorTransport(self)

    # -- bookkeeping ------------------------------------------------------------------------

    def hits_today(self) -> int:
        """Queries counted against today's quota."""
        with self._lock:
            return self._hits.get(self._clock().date(), 0)

    def reset(self) -> None:
        """Forget hits and received data."""
        with self._lock:
            self._hits.clear()
            self._balikan_seen.clear()
            self.received = 0
            self.queries.clear()
            self.balikan.clear()

    # -- routing ----------------------------------------------------------------------------

    def _route(self, request: SimRequest) -> SimResponse:
        prefix = self.config.balikan.prefix.rstrip("/")
        if request.path == f"{prefix}/api/store" and request.method == "POST":
            return self._balikan_store(request)
        if request.path == f"{prefix}/api/getparam_bylembaga" and request.method == "GET":
            return self._balikan_params(request)
        parts = [part for part in request.path.split("/") if part]
        if request.method != "POST" or parts[:2] != ["dukcapil", "get_json"]:
            return _not_found()
        account = self.config.account
        if parts[2:-1] not in ([account.consumer_id], [account.region_code, account.instansi]):
            return _not_found()
        method = parts[-1].lower()
        if method in _LOOKUP_METHODS:
            return self._gateway(request, "lookup")
        if method in _VERIFY_METHODS:
            return self._gateway(request, "verify")
        return _not_found()

    # -- gateway ----------------------------------------------------------------------------

    def _gateway(self, request: SimRequest, service: str) -> SimResponse:
        try:
            raw = json.loads(request.body)
        except (ValueError, RecursionError):
            raw = None
        body = {str(k).upper(): v for k, v in raw.items()} if isinstance(raw, dict) else {}
        nik = body.get("NIK")
        nik_text = nik.strip() if isinstance(nik, str) else None
        code, answer = self._answer(service, body, nik_text)
        with self._lock:
            self.queries.append(RecordedQuery(service, nik_text, tuple(sorted(body)), code))
        return SimResponse(200, self._envelope(code, answer))

    def _answer(
        self, service: str, body: Mapping[str, Any], nik: str | None
    ) -> tuple[str | None, dict[str, Any] | None]:
        """(error code, None) or (None, content object)."""
        account = self.config.account
        if not all(isinstance(body.get(k), str) and body[k] for k in _IDENTITY_KEYS):
            return "09", None
        if body["IP_USER"] != account.ip_user:
            return self.dialect.ip_code, None
        if body["USER_ID"] != account.user_id or body["PASSWORD"] != account.password:
            return "03", None
        if not account.institution_active:
            return "16", None
        if not account.user_active:
            return "17", None
        now = self._clock()
        hours = self.config.access_hours
        if hours is not None and not hours[0] <= now.hour < hours[1]:
            return "06", None
        with self._lock:
            used = self._hits.get(now.date(), 0)
            quota = self.config.daily_quota
            if quota is not None and used >= quota:
                return "05", None
            self._hits[now.date()] = used + 1
        if nik is None:
            return "07", None
        if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):
            return "08", None
        try:
            parse_nik(nik)
        except NikError:
            return "15", None
        person = self.population.get(nik)
        if person is None:
            return "13", None
        if person.status in _STATUS_CODES:
            return _STATUS_CODES[person.status], None
        if service == "lookup":
            return None, wire_record(person)
        return None, _verdicts(person, body)

    def _quota_left(self) -> int | None:
        quota = self.config.daily_quota
        if quota is None:
            return None
        return max(quota - self.hits_today(), 0)

    def _envelope(self, code: str | None, content: dict[str, Any] | None) -> bytes:
        dialect = self.dialect
        if content is None:
            assert code is not None
            content = {}
            if dialect.codes:
                content["RESPONSE_CODE"] = code if dialect.pad_codes else code.lstrip("0")
            text = TEXTS[code][1 if dialect.alternative_texts else 0]
            for key in dialect.message_keys:
                content[key] = text
        envelope: dict[str, Any] = {
            "content": [content],
            "lastPage": True,
            "numberOfElements": 1 if code is None else 0,
            "sort": None,
            "totalElements": 1,
            "firstPage": True,
            "number": 0,
            "size": 1,
        }
        quota_left = self._quota_left()
        if dialect.quota_limiter and quota_left is not None:
            envelope["quotaLimiter"] = quota_left
        return json.dumps(envelope).encode("utf-8")

    # -- data balikan -----------------------------------------------------------------------

    def _authorised(self, request: SimRequest) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.config.balikan.token}"

    def _balikan_params(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return _message(401, "Unauthenticated.")
        setup = self.config.balikan
        payload = {"id_lembaga": setup.id_lembaga, "param": list(setup.params)}
        return SimResponse(200, json.dumps(payload).encode("utf-8"))

    def _balikan_store(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return _message(401, "Unauthenticated.")
        items = _balikan_items(request)
        if items is None:
            return _message(422, "Data tidak valid")
        new = 0
        with self._lock:
            for shape, id_lembaga, nik, params in items:
                key = (id_lembaga, nik, json.dumps(params, sort_keys=True))
                duplicate = key in self._balikan_seen
                self._balikan_seen.add(key)
                new += not duplicate
                self.balikan.append(BalikanDelivery(shape, id_lembaga, nik, params, duplicate))
        if new == 0:
            return _message(400, "Data sudah pernah dikirim")
        return _message(200, "Success")


BalikanItem = tuple[str, str, str, tuple[Mapping[str, Any], ...]]


def _balikan_items(request: SimRequest) -> list[BalikanItem] | None:
    """The items of either body shape, or None if the body is malformed."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            return _batch_items(json.loads(request.body))
        form = parse_qs(request.body.decode("utf-8"), strict_parsing=True)
        fields = {key: values[0] for key, values in form.items()}
        params = json.loads(fields["param"])
        return [("form", fields["id_lembaga"], fields["nik"], _param_list(params))]
    except (ValueError, KeyError, TypeError):
        return None


def _batch_items(batch: object) -> list[BalikanItem]:
    if not isinstance(batch, list) or not batch:
        raise TypeError("a batch is a non-empty list")
    items: list[BalikanItem] = []
    for group in batch:
        id_lembaga = group["id_lembaga"]
        for entry in group["data"]:
            items.append(("batch", str(id_lembaga), str(entry["NIK"]), _param_list(entry["param"])))
    return items


def _param_list(params: object) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        raise TypeError("param is a list of objects")
    return tuple(params)


def _message(status: int, text: str) -> SimResponse:
    return SimResponse(status, json.dumps({"message": text}).encode("utf-8"))


def _not_found() -> SimResponse:
    return SimResponse(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")


def _verdicts(person: Person, body: Mapping[str, Any]) -> dict[str, str]:
    """Per-element verdicts; text fields carry a rapidfuzz score against TRESHOLD."""
    try:
        threshold = int(str(body.get("TRESHOLD", "90")).strip())
    except ValueError:
        threshold = 90
    record = wire_record(person)
    answer = {"NIK": "Sesuai"}  # the gateway also reports keys that were not sent
    for key, sent in body.items():
        if key in _CREDENTIAL_KEYS or key not in record or not isinstance(sent, str):
            continue
        actual = record[key]
        if key in _FUZZY_KEYS:
            score = round(
                fuzz.token_sort_ratio(sent, str(actual or ""), processor=utils.default_process)
            )
            answer[key] = f"{'Sesuai' if score >= threshold else 'Tidak Sesuai'} ({score})"
        else:
            answer[key] = "Sesuai" if _same(key, sent, actual) else "Tidak Sesuai"
    return answer


def _same(key: str, sent: str, actual: object) -> bool:
    if key.startswith("TGL_") and isinstance(actual, str):
        try:
            return datetime.strptime(sent.strip(), "%d-%m-%Y").date() == date.fromisoformat(actual)
        except ValueError:
            return False
    return " ".join(sent.split()).upper() == " ".join(str(actual).split()).upper()
