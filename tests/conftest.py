"""Shared fixtures: isolated dirs, in-memory keyring, fresh database, no NIK in any log."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine

from app.domain.i18n import install_translator
from app.services.persistence.db import create_db_engine, upgrade_database
from tests.real_components import ALLOW_SKIP_ENV, component_missing, skipping_allowed

pytest_plugins = ["pytester"]

settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile("dev", deadline=None, max_examples=60)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

FULL_NIK = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps passwords in a dict (tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.values[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the run (the kept demo schema is built once, not per test)."""
    return tmp_path_factory.mktemp("loket-cache")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    shared_cache_dir: Path,
) -> Path:
    """Every test gets its own config, data and log dirs, and English messages."""
    root = tmp_path_factory.mktemp("loket-home")
    monkeypatch.setenv("LOKET_CACHE_DIR", str(shared_cache_dir))
    monkeypatch.setenv("LOKET_ADMIN_CONFIG", str(root / "admin" / "loket.toml"))
    monkeypatch.setenv("LOKET_USER_CONFIG", str(root / "user" / "settings.toml"))
    monkeypatch.setenv("LOKET_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("LOKET_LOG_DIR", str(root / "logs"))
    install_translator("en", lambda message: message)
    return root


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The OS keyring replaced by an in-memory backend."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class _NikWatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = str(record.msg)
        if FULL_NIK.search(text):
            self.leaks.append(f"{record.name}: {text[:120]}")


@pytest.fixture(autouse=True)
def no_full_nik_in_logs() -> Iterator[_NikWatcher]:
    """Fail any test during which the app logged a full 16-digit number."""
    watcher = _NikWatcher()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(watcher)
    root.setLevel(logging.DEBUG)
    yield watcher
    root.removeHandler(watcher)
    root.setLevel(old_level)
    if watcher.leaks:
        pytest.fail("a log record holds a full NIK: " + "; ".join(watcher.leaks))


@pytest.fixture
def db_engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated SQLite database in a temp dir."""
    engine = create_db_engine(f"sqlite+pysqlite:///{tmp_path / 'test.sqlite3'}")
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[object]:
    """A throwaway PostgreSQL server for the session (a failure when it cannot start)."""
    from tests.fakes.postgres import PostgresUnavailable, start_cluster

    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        component_missing("PostgreSQL", str(error))
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(postgres_cluster: object) -> str:
    """URL of a fresh, empty database on the session's PostgreSQL server."""
    from tests.fakes.postgres import PostgresCluster

    assert isinstance(postgres_cluster, PostgresCluster)
    return postgres_cluster.create_database()


def _skipped_reports(config: pytest.Config) -> list[pytest.TestReport]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return []
    return [r for r in reporter.stats.get("skipped", []) if isinstance(r, pytest.TestReport)]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A skipped test fails the run unless LOKET_ALLOW_SKIP=1 was set on purpose."""
    if _skipped_reports(session.config) and not skipping_allowed() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Say loudly which tests were skipped, and whether that fails the run."""
    skipped = _skipped_reports(config)
    if not skipped:
        return
    allowed = skipping_allowed()
    terminalreporter.section(
        f"{len(skipped)} TEST(S) SKIPPED — "
        + (f"allowed by {ALLOW_SKIP_ENV}=1, THIS RUN PROVES LESS" if allowed
           else f"THE RUN FAILS (set {ALLOW_SKIP_ENV}=1 to skip on purpose)"),
        sep="!",
        red=True,
        bold=True,
    )
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        terminalreporter.write_line(f"  {report.nodeid}: {reason}")
