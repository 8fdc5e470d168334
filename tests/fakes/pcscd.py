"""Our own pcscd with a vpcd virtual reader, for the reader tests and the benchmark.

``pcscd --foreground -c <tmpdir>``: the private reader.conf.d directory holds only our vpcd
definition (Debian's /etc/reader.conf.d/vpcd is not read). Only one pcscd may run on a machine,
so a foreign one is an error, never killed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from smartcard import scard

PCSCD = "/usr/sbin/pcscd"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
FRIENDLY_NAME = "KTPel Test Reader"
CARD_READER = f"{FRIENDLY_NAME} 00 00"
SAM_READER = f"{FRIENDLY_NAME} 00 01"
INSTALL_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-system-deps"
READER_CONF = f"""FRIENDLYNAME "{FRIENDLY_NAME}"
DEVICENAME   /dev/null:35963
LIBPATH      {VPCD_DRIVER}
CHANNELID    0x8C7B
"""


class PcscdUnavailable(RuntimeError):
    """pcscd or the vpcd driver is missing (and could not be installed), or pcscd is busy."""


def _missing() -> list[str]:
    return [p for p in (PCSCD, VPCD_DRIVER) if not os.path.exists(p)]


def ensure_installed() -> None:
    """Install the system packages when missing (as root, via scripts/install-system-deps)."""
    if not _missing():
        return
    if os.geteuid() == 0 and shutil.which("apt-get") and INSTALL_SCRIPT.exists():
        subprocess.run(["bash", str(INSTALL_SCRIPT), "test"], check=False)
    still = _missing()
    if still:
        raise PcscdUnavailable(
            "missing " + ", ".join(still) + ": run scripts/install-system-deps test as root "
            "(apt-get install --no-install-recommends pcscd vsmartcard-vpcd)"
        )


def foreign_pcscd() -> list[str]:
    """Other pcscd processes (``pid cmdline``)."""
    out = subprocess.run(["pgrep", "-a", "-x", "pcscd"], capture_output=True, text=True,
                         check=False)
    return [line for line in out.stdout.splitlines() if line.strip()]


def _readers() -> list[str] | None:
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != 0:
        return None
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        return list(readers) if hresult == 0 else []
    finally:
        scard.SCardReleaseContext(context)


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def end_orphaned_test_daemons() -> list[str]:
    """End pcscd daemons a killed test session of ours left behind (and only those).

    Ours run with ``-c <pytest tmp>/…/reader.conf.d``; orphaned, their parent is init (1)
    because the session that started them died (e.g. a test time-out ends the process).
    """
    ended: list[str] = []
    for line in foreign_pcscd():
        pid_text, _, cmdline = line.partition(" ")
        pid = int(pid_text)
        if "/pytest-of-" in cmdline and "reader.conf.d" in cmdline and _parent_pid(pid) == 1:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)  # polling the daemon's exit, not a fixed wait
            ended.append(line)
    return ended


class Pcscd:
    """Start, stop and restart our pcscd."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.conf_dir = self.workdir / "reader.conf.d"
        self.log_path = self.workdir / "pcscd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def running(self) -> bool:
        """Whether our daemon is alive."""
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        """Start pcscd and wait until both virtual slots are listed."""
        ensure_installed()
        end_orphaned_test_daemons()
        others = foreign_pcscd()
        if others:
            raise PcscdUnavailable("another pcscd is running: " + "; ".join(others))
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "vpcd").write_text(READER_CONF)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [PCSCD, "--foreground", "-c", str(self.conf_dir)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PcscdUnavailable(f"pcscd exited with {self.process.returncode}; "
                                       f"see {self.log_path}")
            readers = _readers()
            if readers and CARD_READER in readers and SAM_READER in readers:
                return
            time.sleep(0.02)  # polling the daemon's start-up, not a fixed wait
        self.stop()
        raise PcscdUnavailable(f"pcscd did not list the virtual readers; see {self.log_path}")

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM and wait (SIGKILL only if it hangs)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def restart(self) -> None:
        """Stop, then start again."""
        self.stop()
        self.start()

    def __enter__(self) -> Pcscd:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def wait_slot(reader: str, *, present: bool, timeout: float = 30.0) -> None:
    """Block until pcscd reports ``reader`` with / without a card (waits on status changes)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != 0:
        raise PcscdUnavailable("pcscd not reachable")
    try:
        states = [(reader, scard.SCARD_STATE_UNAWARE)]
        deadline = time.monotonic() + timeout
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            hresult, result = scard.SCardGetStatusChange(context, max(left, 0), states)
            if hresult not in (0, scard.SCARD_E_TIMEOUT):
                raise PcscdUnavailable(f"SCardGetStatusChange 0x{hresult & 0xFFFFFFFF:08X}")
            if hresult == 0:
                state = result[0][1]
                if bool(state & scard.SCARD_STATE_PRESENT) == present:
                    return
                states = [(reader, state)]
            if left <= 0:
                raise TimeoutError(f"{reader}: card {'not ' if present else ''}present")
    finally:
        scard.SCardReleaseContext(context)
