"""The vsmartcard project's own virtual card (``vicc``, Debian package vsmartcard-vpicc).

Used as an outside card: its ISO 7816 implementation, not ours. Debian's package (3.3) needs two
workarounds, applied here and documented in docs/reader.md:

* its Python package lands in /usr/lib/python3/site-packages/virtualsmartcard, which is not on
  Debian's ``sys.path`` → ``PYTHONPATH`` points there;
* it imports PyCrypto as ``Crypto`` but depends on nothing; Debian's python3-pycryptodome
  installs the same API as ``Cryptodome`` → a shim directory maps ``Crypto`` to it.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

VICC = "/usr/bin/vicc"
SYSTEM_PYTHON = "/usr/bin/python3"
VICC_SITE = Path("/usr/lib/python3/site-packages/virtualsmartcard")
CRYPTODOME = Path("/usr/lib/python3/dist-packages/Cryptodome")
KTPEL_DRIVER = Path(__file__).with_name("vicc_ktpel.py")
INSTALL_HINT = (
    "apt-get install -y --no-install-recommends vsmartcard-vpicc python3-pycryptodome"
)


class ViccUnavailable(RuntimeError):
    """vicc or its dependencies are missing."""


def vicc_env(workdir: Path) -> dict[str, str]:
    """The environment that makes Debian's vicc start (see the module doc)."""
    missing = [str(p) for p in (Path(VICC), VICC_SITE, CRYPTODOME) if not p.exists()]
    if missing:
        raise ViccUnavailable("missing " + ", ".join(missing) + f": {INSTALL_HINT}")
    shim = workdir / "vicc-shim"
    shim.mkdir(parents=True, exist_ok=True)
    link = shim / "Crypto"
    if not link.exists():
        link.symlink_to(CRYPTODOME)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(shim), str(VICC_SITE)])
    return env


class Vicc:
    """A vicc process connected to vpcd's card port (``insert``) until ``remove``."""

    def __init__(self, workdir: Path, argv: list[str]) -> None:
        self.workdir = workdir
        self.argv = argv
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "vicc.log"

    @classmethod
    def iso7816(cls, workdir: Path, port: int) -> Vicc:
        """vicc's plain ISO 7816 card (empty MF): not a KTP-el."""
        return cls(workdir, [SYSTEM_PYTHON, VICC, "-t", "iso7816", "-P", str(port)])

    @classmethod
    def ktpel_photo(cls, workdir: Path, port: int, photo: bytes) -> Vicc:
        """vicc's ISO 7816 card with DF 7F0A / EF 6FF2 holding a length-prefixed photo."""
        photo_path = workdir / "photo.bin"
        photo_path.write_bytes(photo)
        return cls(workdir, [SYSTEM_PYTHON, str(KTPEL_DRIVER), str(port), str(photo_path)])

    def insert(self) -> None:
        """Start vicc (it connects to vpcd: the card is inserted)."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv, env=vicc_env(self.workdir), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    def remove(self) -> None:
        """Stop vicc (SIGTERM, then wait)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)

    def log(self) -> str:
        """What vicc printed (for failure messages)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
