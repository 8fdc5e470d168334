"""``loket officers form | export | changes``: the officer records the agreements ask for.

An administrator signs in (password asked): the records hold staff NIKs. ``form`` writes an
officer's User-ID request form (PDF), ``export`` the workbook of officers, SPTJM and the
changes of a period (XLSX), ``changes`` lists the changes of a period for the report to
Dinas Dukcapil (no NIK in the list).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.services.admin_cli_runner import PasswordReader, run_admin_cli

if TYPE_CHECKING:
    from app.services.app_core import AppServices
    from app.services.officers import OfficerView

FORCE_HELP = "replace an existing file"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-06-30: {text!r}") from None


def build_officers_parser() -> argparse.ArgumentParser:
    """The ``loket officers`` parser."""
    parser = argparse.ArgumentParser(
        prog="loket officers",
        description=(
            "Officer records for Dinas Dukcapil: the User-ID request form (PDF), the export "
            "of officers, SPTJM and changes (XLSX), and the changes of a period."
        ),
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    form = sub.add_parser("form", help="an officer's User-ID request form (PDF)")
    form.add_argument("username", help="the officer's user name in this application")
    form.add_argument("--out", required=True, help="PDF file to write")
    export = sub.add_parser("export", help="officers, SPTJM and changes of a period (XLSX)")
    export.add_argument("--out", required=True, help="XLSX file to write")
    changes = sub.add_parser("changes", help="officer changes of a period (no NIK listed)")
    for command in (form, export, changes):
        command.add_argument("--user", required=True, help="administrator (password asked)")
    for command in (export, changes):
        command.add_argument("--from", dest="start", type=_day, help="first day (YYYY-MM-DD)")
        command.add_argument("--to", dest="end", type=_day, help="last day (YYYY-MM-DD)")
    for command in (form, export):
        command.add_argument("--force", action="store_true", help=FORCE_HELP)
    return parser


def run_officers_cli(
    argv: Sequence[str],
    open_services: Callable[[], AppServices],
    *,
    ask_password: PasswordReader | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one ``loket officers`` action; the exit status (2: refused, with a message)."""
    return run_admin_cli(
        build_officers_parser(),
        _run,
        argv,
        open_services,
        ask_password=ask_password,
        out=out,
        prefix="loket: ",
    )


def _administrator(
    services: AppServices, username: str, ask_password: PasswordReader
) -> OfficerView:
    from app.services.officers import NotPermitted, Role

    officer = services.officers.authenticate(username, ask_password("password: "))
    if officer.role is not Role.ADMINISTRATOR:
        raise NotPermitted(officer.username)
    return officer


def _period(services: AppServices, args: argparse.Namespace) -> tuple[date, date]:
    """The period asked; by default the current semester up to today."""
    today = services.clock().date()
    start = args.start or date(today.year, 1 if today.month <= 6 else 7, 1)
    return start, args.end or today


def _write(services: AppServices, path: str, data: bytes | None, force: bool) -> bool:
    from app.services.safe_output import tool_output

    return tool_output(Path(path), data, database_url=services.core.engine.url, force=force)


def _run(
    services: AppServices, args: argparse.Namespace, ask_password: PasswordReader, out: TextIO
) -> int:
    if args.action in ("form", "export") and not _write(services, args.out, None, args.force):
        return 2  # refused before the password is asked
    _administrator(services, args.user, ask_password)
    records = services.officer_records
    if args.action == "form":
        from app.services.documents.user_id_form import render_user_id_form

        settings = services.core.settings
        pdf = render_user_id_form(
            records.by_username(args.username),
            records.current_sptjm(),
            agency_name=settings.agency.name,
            agency_address=settings.agency.address,
            demo=settings.is_demo,
            today=services.clock().date(),
        )
        if not _write(services, args.out, pdf, args.force):
            return 2
        print(f"User-ID request form of {args.username} written to {args.out}", file=out)
        return 0
    start, end = _period(services, args)
    changes = records.changes(start, end)
    if args.action == "export":
        from app.services.officer_export import officers_xlsx

        data = officers_xlsx(records.records(), records.sptjm_history(), changes)
        if not _write(services, args.out, data, args.force):
            return 2
        print(
            f"officers, SPTJM and {len(changes)} change(s) {start} – {end} written to {args.out}",
            file=out,
        )
        return 0
    print(f"officer changes {start} – {end}: {len(changes)}", file=out)
    for change in changes:
        detail = f"  {change.detail}" if change.detail else ""
        print(
            f"{change.at:%Y-%m-%d %H:%M}  {change.username}  {change.kind}{detail}  "
            f"by {change.actor}",
            file=out,
        )
    return 0
