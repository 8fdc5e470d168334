"""The simulator's configuration and its request/answer types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.services.simulator.balikan import BalikanSetup
from app.services.simulator.faults import Fault
from app.services.simulator.wire import DEFAULT_DIALECTS, DIALECTS, Dialect

ALLOWED_MODES = frozenset({"demo", "test"})
# exact: IP_USER must equal the registered IP; any: it must be present; absent-allowed: it
# may be missing too (production clients send constants, placeholders or nothing)
IP_POLICIES = ("exact", "any", "absent-allowed")


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
class SimulatorConfig:
    """Everything the simulated gateway is configured with."""

    seed: int = 20250916
    population_size: int = 3000
    account: SimulatorAccount = field(default_factory=SimulatorAccount)
    lookup_dialect: str = DEFAULT_DIALECTS["lookup"]
    verify_dialect: str = DEFAULT_DIALECTS["verify"]
    daily_quota: int | None = 200  # the account's hits per day (None: unlimited)
    # further accounts, each with its own daily quota (same rules otherwise)
    more_accounts: tuple[tuple[SimulatorAccount, int | None], ...] = ()
    access_hours: tuple[int, int] | None = None  # [start, end) local hours
    ip_policy: str = "absent-allowed"
    path_case_sensitive: bool = True  # consumer/region/instansi segments (never the method)
    balikan: BalikanSetup = field(default_factory=BalikanSetup)
    record_dir: Path | None = None

    def __post_init__(self) -> None:
        for name in (self.lookup_dialect, self.verify_dialect):
            if name not in DIALECTS:
                raise ValueError(f"unknown dialect {name!r}")
        if self.ip_policy not in IP_POLICIES:
            raise ValueError(f"unknown IP policy {self.ip_policy!r}")
        accounts = [account for account, _ in self.accounts()]
        old_layouts = [(a.region_code, a.instansi) for a in accounts if a.instansi]
        if len({a.consumer_id for a in accounts}) != len(accounts) or len(set(old_layouts)) != len(
            old_layouts
        ):
            raise ValueError("accounts need distinct consumer ids and region/instansi pairs")

    def accounts(self) -> tuple[tuple[SimulatorAccount, int | None], ...]:
        """Every account with its daily quota, the main account first."""
        return ((self.account, self.daily_quota), *self.more_accounts)

    def dialect_for(self, service: str) -> Dialect:
        """The dialect ``service`` ("lookup" or "verify") answers in."""
        return DIALECTS[self.lookup_dialect if service == "lookup" else self.verify_dialect]

    def with_dialect(self, name: str) -> SimulatorConfig:
        """The same configuration with ``name`` as the dialect of both services."""
        return replace(self, lookup_dialect=name, verify_dialect=name)


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
    """One answer; ``fault`` tells the transport how to break it.

    ``note`` says what was asked and answered, for the request record (no personal data).
    """

    status: int
    body: bytes
    content_type: str = "application/json"
    fault: Fault | None = None
    note: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedQuery:
    """A gateway query the simulator received (tests check counts and bodies)."""

    service: str  # "lookup" | "verify"
    nik: str | None
    body_keys: tuple[str, ...]
    answer_code: str | None
