"""A throwaway PostgreSQL cluster in a temp dir (Debian package binaries), for tests.

``initdb`` refuses to run as root, so as root the cluster is created and started as the
``postgres`` user (``runuser``). It listens only on a Unix socket in its own directory,
with fsync off: it exists for one test session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bin_dir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are (LOKET_PG_BIN, Debian's layout, or PATH)."""
    override = os.environ.get("LOKET_PG_BIN")
    if override:
        return Path(override) if (Path(override) / "initdb").is_file() else None
    candidates: list[str] = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    )
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresCluster:
    """A running throwaway cluster."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None
    user: str = "loket"

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    def _cmd(self, *args: str) -> list[str]:
        if not self.run_as:
            return list(args)
        runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if Path(p).is_file()), None
        )
        if runuser is None:
            raise PostgresUnavailable("running as root and runuser is missing")
        return [runuser, "-u", self.run_as, "--", *args]

    def _run(self, *args: str) -> None:
        try:
            done = subprocess.run(self._cmd(*args), capture_output=True, text=True, check=False)
        except OSError as error:
            raise PostgresUnavailable(f"{args[0]} cannot run: {error}") from error
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{args[0]} failed: {done.stderr.strip()} {tail}")

    def start(self) -> None:
        """initdb and start the server on a Unix socket in ``root``."""
        self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        """Stop the server and remove the cluster."""
        subprocess.run(
            self._cmd(
                str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` over the Unix socket."""
        return f"postgresql+psycopg://{self.user}@/{database}?host={self.root}&port={self.port}"

    def create_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            host=str(self.root), port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster() -> PostgresCluster:
    """Create and start a cluster (raises :class:`PostgresUnavailable` if impossible)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("no initdb found (install the postgresql Debian package)")
    root = Path(tempfile.mkdtemp(prefix="loket-pg-"))
    run_as: str | None = None
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        run_as = "postgres"
        try:
            account = pwd.getpwnam(run_as)
        except KeyError as error:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresUnavailable("running as root and there is no postgres user") from error
        os.chown(root, account.pw_uid, account.pw_gid)
    os.chmod(root, 0o700)
    cluster = PostgresCluster(bin_dir, root, _free_port(), run_as)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
