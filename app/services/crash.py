"""Crash records: an unexpected error leaves a trace in the log folder, without population data.

A record names the error's type and where it happened (file, line, function) — never the
error's message or any variable, which could hold a NIK or a name — and gets a reference
number the person at the counter can read out to the administrator.
"""

from __future__ import annotations

import logging
import secrets
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from app import __version__
from app.domain.scrub import mask_digit_runs
from app.services.logging_setup import log_dir
from app.services.safe_output import write_output

log = logging.getLogger(__name__)

CrashCallback = Callable[[str], None]


def new_reference() -> str:
    """A reference like ``20261201-164512-3FA9C1``."""
    return f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3).upper()}"


def _frames(tb: TracebackType | None) -> list[str]:
    return [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
        for frame in traceback.extract_tb(tb)
    ]


def crash_text(
    reference: str, kind: type[BaseException], error: BaseException | None, tb: TracebackType | None
) -> str:
    """The record: reference, version, the chain of error types and their frames."""
    lines = [
        f"reference: {reference}",
        f"version: {__version__}",
        f"python: {sys.version.split()[0]} on {sys.platform}",
        f"error: {kind.__module__}.{kind.__qualname__}",
        "traceback (messages and values left out: they may hold population data):",
        *_frames(tb),
    ]
    seen: set[int] = set()
    cause = error.__cause__ or error.__context__ if error is not None else None
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        lines.append(f"caused by: {type(cause).__module__}.{type(cause).__qualname__}")
        lines.extend(_frames(cause.__traceback__))
        cause = cause.__cause__ or cause.__context__
    return "\n".join(lines) + "\n"


def write_crash_record(
    kind: type[BaseException],
    error: BaseException | None,
    tb: TracebackType | None,
    directory: Path | None = None,
) -> str:
    """Write a crash record (0600) to the log folder; return its reference."""
    reference = new_reference()
    folder = directory or log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = crash_text(reference, kind, error, tb)
        write_output(folder / f"crash-{reference}.txt", text.encode("utf-8"))
    except OSError:
        pass  # the log line below still names the reference
    log.error("crash %s: %s", reference, kind.__qualname__)
    return reference


def write_message_record(category: str, message: str, directory: Path | None = None) -> str:
    """A crash record for a fatal/critical toolkit message (masked, shortened)."""
    reference = new_reference()
    folder = directory or log_dir()
    text = (
        f"reference: {reference}\nversion: {__version__}\n{category}: "
        f"{mask_digit_runs(message)[:300]}\n"
    )
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_output(folder / f"crash-{reference}.txt", text.encode("utf-8"))
    except OSError:
        pass
    log.error("crash %s: %s message", reference, category)
    return reference


def install_excepthook(
    on_crash: CrashCallback | None = None, directory: Path | None = None
) -> None:
    """Route every uncaught exception to a crash record (then to ``on_crash(reference)``)."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        reference = write_crash_record(kind, error, tb, directory)
        if on_crash is not None:
            try:
                on_crash(reference)
            except Exception:  # the dialog itself failed: the record is written anyway
                log.error("crash %s: could not be shown", reference)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        hook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
