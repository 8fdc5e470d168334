"""The gateway simulator: Dukcapil lookup, verify by element and data balikan, wire-faithful.

:class:`GatewaySimulator` answers :class:`SimRequest` objects; it is also a WSGI app and
gives an in-process httpx transport. It refuses to exist in production mode. What it answers
and why is written down in ``docs/simulator.md``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from app.domain.nik import NikError, parse_nik
from app.services.simulator.balikan import (
    BalikanDelivery,
    BalikanSetup,
    balikan_items,
)
from app.services.simulator.config import (
    IP_POLICIES,
    RecordedQuery,
    SimRequest,
    SimResponse,
    SimulatorAccount,
    SimulatorConfig,
    SimulatorRefusedError,
    ensure_simulator_allowed,
)
from app.services.simulator.faults import Fault, FaultPlan
from app.services.simulator.population import (
    Population,
    Status,
    build_population,
    wire_record,
)
from app.services.simulator.record import Recorder, RecordKey, masked
from app.services.simulator.wire import DIALECTS, Dialect, envelope, error_content, verdicts

if TYPE_CHECKING:
    from app.services.simulator.transport import SimulatorTransport

__all__ = [
    "DIALECTS",
    "IP_POLICIES",
    "BalikanDelivery",
    "BalikanSetup",
    "Dialect",
    "GatewaySimulator",
    "RecordedQuery",
    "SimRequest",
    "SimResponse",
    "SimulatorAccount",
    "SimulatorConfig",
    "SimulatorRefusedError",
    "ensure_simulator_allowed",
]

_STATUS_CODES = {Status.DECEASED: "11", Status.DUPLICATE: "12", Status.INACTIVE: "14"}
_METHODS: Mapping[str, str] = {
    "call_nik": "lookup",
    "get_nik": "lookup",  # a regional :8080 portal layout
    "call_verify_by_elemen": "verify",
    "nik_verifby_elemen": "verify",
    "koneksitas_verifby_elemen": "verify",
}
_HTML_ERROR = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


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
        self.faults = faults or FaultPlan()
        # Built at first use (the first lookup, the demo card, the training list), not at start:
        # the invented population takes most of the demo's start-up time otherwise.
        self._population: Population | None = population
        self._population_lock = threading.Lock()
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[tuple[str, date], int] = {}  # (consumer id, day) → hits
        self.recorder = Recorder(self.config.record_dir) if self.config.record_dir else None
        self._key = self.recorder.key if self.recorder else RecordKey(os.urandom(32))
        self._balikan_seen: set[str] = self.recorder.seen_items() if self.recorder else set()
        self.received = 0  # every request that reached the simulator, faults included
        self.queries: list[RecordedQuery] = []
        self.balikan: list[BalikanDelivery] = []

    @property
    def population(self) -> Population:
        """The invented residents (built once, on first use, from the configured seed)."""
        if self._population is None:
            with self._population_lock:
                if self._population is None:
                    self._population = build_population(
                        self.config.seed, self.config.population_size
                    )
        return self._population

    @population.setter
    def population(self, population: Population) -> None:
        self._population = population

    # -- entry points -----------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Answer one request (faults included); recorded when a record directory is set."""
        with self._lock:
            self.received += 1
            sequence = self.received
        fault = self.faults.take()
        if fault is Fault.HTTP_500:
            response = SimResponse(500, _HTML_ERROR, "text/html")
        elif fault is Fault.NON_JSON:
            response = SimResponse(200, _HTML_ERROR, "text/html")
        else:
            response = self._route(request)
            if fault is not None:
                response = replace(response, fault=fault)
        if self.recorder is not None:
            self.recorder.request(
                {
                    "seq": sequence,
                    "method": request.method,
                    "path": _recorded_path(request.path),
                    "content_type": request.headers.get("content-type", ""),
                    "bytes": len(request.body),
                    "status": response.status,
                    "fault": fault.value if fault else None,
                    **response.note,
                }
            )
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

    def close(self) -> None:
        """Close the record files (if recording)."""
        if self.recorder is not None:
            self.recorder.close()

    # -- bookkeeping ------------------------------------------------------------------------

    def hits_today(self, consumer_id: str | None = None) -> int:
        """Queries counted against today's quota of an account (default: the main one)."""
        consumer = consumer_id or self.config.account.consumer_id
        with self._lock:
            return self._hits.get((consumer, self._clock().date()), 0)

    def reset(self) -> None:
        """Forget hits and received data (the record directory, if any, is kept)."""
        with self._lock:
            self._hits.clear()
            self._balikan_seen.clear()
            self.received = 0
            self.queries.clear()
            self.balikan.clear()

    # -- routing ----------------------------------------------------------------------------

    def _route(self, request: SimRequest) -> SimResponse:
        for prefix in self.config.balikan.prefixes():
            if request.path == f"{prefix}/api/store" and request.method == "POST":
                return self._balikan_store(request)
            if request.path == f"{prefix}/api/getparam_bylembaga" and request.method == "GET":
                return self._balikan_params(request)
        parts = [part for part in request.path.split("/") if part]
        if request.method != "POST" or parts[:2] != ["dukcapil", "get_json"]:
            return _not_found()
        account = self._account_for(parts[2:-1])
        service = _METHODS.get(parts[-1].lower())
        if account is None or service is None:
            return _not_found()
        return self._gateway(request, service, account)

    def _account_for(self, segments: list[str]) -> tuple[SimulatorAccount, int | None] | None:
        """The account named by the consumer id, or region code + instansi (case as set)."""
        exact = self.config.path_case_sensitive
        wanted = segments if exact else [segment.casefold() for segment in segments]
        for account, quota in self.config.accounts():
            for layout in ([account.consumer_id], [account.region_code, account.instansi]):
                if wanted == (layout if exact else [part.casefold() for part in layout]):
                    return account, quota
        return None

    # -- gateway ----------------------------------------------------------------------------

    def _gateway(
        self, request: SimRequest, service: str, account: tuple[SimulatorAccount, int | None]
    ) -> SimResponse:
        try:
            raw = json.loads(request.body)
        except (ValueError, RecursionError):
            raw = None
        body = {str(k).upper(): v for k, v in raw.items()} if isinstance(raw, dict) else {}
        nik = body.get("NIK")
        if isinstance(nik, int) and not isinstance(nik, bool):
            nik = str(nik)
        nik_text = nik.strip() if isinstance(nik, str) else None
        code, answer = self._answer(service, body, nik_text, account)
        with self._lock:
            self.queries.append(RecordedQuery(service, nik_text, tuple(sorted(body)), code))
        dialect = self.config.dialect_for(service)
        content = answer if answer is not None else error_content(str(code), service, dialect)
        note = {
            "service": service,
            "code": code,
            "nik": masked(nik_text) if nik_text is not None else None,
            "body_keys": sorted(body),
        }
        quota_left = self._quota_left(*account)
        return SimResponse(200, envelope(content, quota_left, dialect), note=note)

    def _answer(
        self,
        service: str,
        body: Mapping[str, Any],
        nik: str | None,
        registered: tuple[SimulatorAccount, int | None],
    ) -> tuple[str | None, dict[str, Any] | None]:
        """(error code, None) or (None, content object)."""
        config = self.config
        account, quota = registered
        ip = body.get("IP_USER")
        if not (_filled(body.get("USER_ID")) and _filled(body.get("PASSWORD"))):
            return "09", None
        if config.ip_policy != "absent-allowed" and not _filled(ip):
            return "09", None
        if config.ip_policy == "exact" and ip != account.ip_user:
            return config.dialect_for(service).ip_code, None
        if body["USER_ID"] != account.user_id or body["PASSWORD"] != account.password:
            return "03", None
        if not account.institution_active:
            return "16", None
        if not account.user_active:
            return "17", None
        now = self._clock()
        hours = config.access_hours
        if hours is not None and not hours[0] <= now.hour < hours[1]:
            return "06", None
        with self._lock:
            day = (account.consumer_id, now.date())
            used = self._hits.get(day, 0)
            if quota is not None and used >= quota:
                return "05", None
            self._hits[day] = used + 1
        if nik is None:
            return "07", None
        if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):
            return "08", None
        try:
            parse_nik(nik)
        except NikError as exc:
            # impossible birth-date digits: the real gateway says "not in the database"
            return ("13" if exc.code == "birth_date" else "15"), None
        person = self.population.get(nik)
        if person is None:
            return "13", None
        if person.status in _STATUS_CODES:
            return _STATUS_CODES[person.status], None
        if service == "lookup":
            return None, wire_record(person)
        return None, verdicts(wire_record(person), body)

    def _quota_left(self, account: SimulatorAccount, quota: int | None) -> int | None:
        if quota is None:
            return None
        return max(quota - self.hits_today(account.consumer_id), 0)

    # -- data balikan -----------------------------------------------------------------------

    def _authorised(self, request: SimRequest) -> bool:
        return request.headers.get("authorization", "") == f"Bearer {self.config.balikan.token}"

    def _balikan_params(self, request: SimRequest) -> SimResponse:
        note = {"service": "balikan_params"}
        if not self._authorised(request):
            return _message(401, "Unauthenticated.", note)
        setup = self.config.balikan
        payload = {"id_lembaga": setup.id_lembaga, "param": list(setup.params)}
        return SimResponse(200, json.dumps(payload).encode("utf-8"), note=note)

    def _balikan_store(self, request: SimRequest) -> SimResponse:
        note: dict[str, Any] = {"service": "balikan_store"}
        if not self._authorised(request):
            return _message(401, "Unauthenticated.", note)
        items = balikan_items(request.headers.get("content-type", ""), request.body)
        if items is None:
            return _message(422, "Data tidak valid", note)
        new = 0
        with self._lock:
            for shape, id_lembaga, nik, params in items:
                digest = self._key.item(id_lembaga, nik, params)
                duplicate = digest in self._balikan_seen
                self._balikan_seen.add(digest)
                new += not duplicate
                self.balikan.append(BalikanDelivery(shape, id_lembaga, nik, params, duplicate))
                if self.recorder is not None:
                    self.recorder.receipt(
                        {
                            "shape": shape,
                            "id_lembaga": id_lembaga,
                            "nik": masked(nik),
                            "nik_digest": self._key.nik(nik),
                            "item": digest,
                            "param_keys": sorted({str(k) for p in params for k in p}),
                            "duplicate": duplicate,
                            "path": request.path,
                        }
                    )
        note["items"] = len(items)
        note["new"] = new
        if new == 0:
            return _message(400, "Data sudah pernah dikirim", note)
        return _message(200, "Success", note)


def _recorded_path(path: str) -> str:
    """The path without the identity segments (consumer id, region, instansi)."""
    parts = [part for part in path.split("/") if part]
    if len(parts) >= 3 and [p.lower() for p in parts[:2]] == ["dukcapil", "get_json"]:
        hidden = ["…"] * (len(parts) - 3)
        return "/" + "/".join([*parts[:2], *hidden, parts[-1]])
    return path


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _message(status: int, text: str, note: Mapping[str, Any]) -> SimResponse:
    return SimResponse(status, json.dumps({"message": text}).encode("utf-8"), note=note)


def _not_found() -> SimResponse:
    return SimResponse(
        404,
        b"<html><body><h1>404 Not Found</h1></body></html>",
        "text/html",
        note={"service": "unknown"},
    )
