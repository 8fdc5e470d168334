"""Application logging: a rotating file in the platform log dir, NIKs always masked."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_log_dir

from app.domain.scrub import mask_digit_runs
from app.services.settings import APP_NAME

_QUIET_LOGGERS = ("httpx", "httpcore", "hpack", "urllib3")


def mask_niks(text: str) -> str:
    """Mask every NIK/No. KK as :func:`app.domain.scrub.mask_digit_runs` finds them."""
    return mask_digit_runs(text)


class NikMaskingFilter(logging.Filter):
    """Rewrite each record so no full NIK reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the formatted message (and drop args so they cannot leak later)."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = mask_niks(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_niks(record.exc_text)
        return True


#: The log holds no population data, but names officers and cases: owner and group only.
LOG_FILE_MODE = 0o640


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0640 whatever the umask says."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_FILE_MODE)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, LOG_FILE_MODE)  # an older file created 0644 is tightened too
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def log_dir() -> Path:
    """Where the log files go."""
    override = os.environ.get("LOKET_LOG_DIR")
    return Path(override) if override else Path(user_log_dir(APP_NAME, appauthor=False))


def configure_logging(level: int = logging.INFO, directory: Path | None = None) -> Path:
    """Install the masking rotating-file handler on the root logger; return the log file."""
    target = directory or log_dir()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = target / "loket.log"
    handler = PrivateRotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(NikMaskingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_loket", False):
            root.removeHandler(existing)
            existing.close()
    handler._loket = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path


def install_mask_on_all_handlers() -> None:
    """Add the masking filter to every handler of the root logger (e.g. a console handler)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, NikMaskingFilter) for f in handler.filters):
            handler.addFilter(NikMaskingFilter())
