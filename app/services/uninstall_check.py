"""``loket uninstall-check``: may this PC's installation be removed? (R-16, issue "owed data").

The Windows uninstaller runs it first and stops while the database still owes data balikan:
removing the program (and, with it, usually the PC's data) would lose what the agreement
obliges the agency to return. The way out is printed: deliver, or export and confirm first
(or decommission). Exit status: 0 nothing owed (or no database here), 1 items owed, 2 the
database could not be checked (also refused: nothing is removed on a guess).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from app.domain.i18n import N_, _
from app.services.persistence.db import create_db_engine, default_database_path
from app.services.persistence.models import BalikanItem
from app.services.settings import Settings

OWED_MESSAGE = N_(
    "Loket KTP-el cannot be uninstalled yet: {count} data balikan item(s) are still owed to "
    "Dukcapil and would be lost with this PC's data. First deliver them (loket-cli balikan "
    "send), or export them and confirm the upload (loket-cli balikan export, then loket-cli "
    "balikan confirm); to end the agreement, use loket-cli decommission. Then uninstall again."
)
UNCHECKED_MESSAGE = N_(
    "Loket KTP-el cannot be uninstalled yet: its database could not be checked for owed data "
    "balikan. Make the database reachable (loket-cli doctor shows what is wrong) and uninstall "
    "again."
)


@dataclass(frozen=True, slots=True)
class UninstallVerdict:
    """Whether removal may go on, and the sentence for the person uninstalling."""

    status: int
    owed: int
    message: str


def owed_count(settings: Settings) -> int | None:
    """Data balikan items not yet delivered; None when this PC has no database at all."""
    url = settings.database_url or ""
    if not url:
        path = default_database_path()
        if not path.exists():
            return None
        url = f"sqlite+pysqlite:///{path}"
    elif url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database != ":memory:" and not Path(database).exists():
            return None
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table(BalikanItem.__tablename__):
                return 0
            count = connection.execute(
                select(func.count()).where(BalikanItem.status != "delivered")
            ).scalar_one()
            return int(count)
    finally:
        engine.dispose()


def uninstall_verdict(settings: Settings) -> UninstallVerdict:
    """0 (may remove), 1 (items owed) or 2 (could not check), with the message to show."""
    try:
        owed = owed_count(settings)
    except (SQLAlchemyError, OSError):
        return UninstallVerdict(2, 0, _(UNCHECKED_MESSAGE))
    if owed:
        return UninstallVerdict(1, owed, _(OWED_MESSAGE).format(count=owed))
    return UninstallVerdict(0, 0, "")


def run_uninstall_check_cli(argv: Sequence[str], settings: Settings) -> int:
    """``loket uninstall-check [--message-file FILE]`` (the uninstaller shows the file)."""
    parser = argparse.ArgumentParser(
        prog="loket uninstall-check",
        description="Refuse removal while data balikan is owed (used by the uninstaller): exit "
        "0 nothing owed, 1 items owed, 2 the database could not be checked.",
    )
    parser.add_argument("--message-file", help="also write the message to this file (UTF-8)")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    verdict = uninstall_verdict(settings)
    if verdict.message:
        print(f"loket: {verdict.message}", file=sys.stderr)
    if args.message_file:
        Path(args.message_file).write_text(verdict.message, encoding="utf-8")
    return verdict.status
