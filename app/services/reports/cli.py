"""``loket report``: usage reports for any period as PDF/CSV/XLSX, the due date, submissions."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.errors import UserFacingError
from app.services.safe_output import tool_output

if TYPE_CHECKING:
    from app.services.app_core import AppServices

CHANNEL_CHOICES = ("hard_copy", "email", "online")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}; use YYYY-MM-DD") from None


class _Parser(argparse.ArgumentParser):
    """Errors exit 2 with a message (argparse's default), never a traceback."""


def build_report_parser() -> argparse.ArgumentParser:
    """The ``loket report`` parser."""
    parser = _Parser(
        prog="loket report",
        description="Usage reports (supervisors; counts only, never population data).",
    )
    sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, text in (
        ("daily", "one day (default today)"),
        ("semester", "the agreement's report period containing --day (Pasal 8)"),
        ("period", "any period on request: --from and --to"),
    ):
        one = sub.add_parser(kind, help=text)
        if kind == "period":
            one.add_argument("--from", dest="start", type=_day, required=True, help="YYYY-MM-DD")
            one.add_argument("--to", dest="end", type=_day, required=True, help="YYYY-MM-DD")
        else:
            one.add_argument("--day", type=_day, help="a day in the period (YYYY-MM-DD)")
        one.add_argument(
            "--counter",
            action="append",
            default=[],
            help="only this counter (repeatable); default: every counter on the database",
        )
        one.add_argument("--format", choices=("pdf", "csv", "xlsx"), default="pdf")
        one.add_argument("--number", default="", help="the agency's letter number for the report")
        one.add_argument("--user", required=True, help="supervisor user name (password asked)")
        one.add_argument("--out", required=True, help="file to write")
        one.add_argument(
            "--force", action="store_true",
            help="replace an existing plain file (never the database or a link)",
        )
    due = sub.add_parser("due", help="the next report owed and its due date")
    due.set_defaults(action="due")
    submitted = sub.add_parser("submitted", help="record or list report submissions")
    submitted_sub = submitted.add_subparsers(dest="action", required=True)
    add = submitted_sub.add_parser("add", help="record that a report was handed in")
    add.add_argument("--from", dest="start", type=_day, required=True, help="period start")
    add.add_argument("--to", dest="end", type=_day, required=True, help="period end")
    add.add_argument("--on", dest="on", type=_day, required=True, help="date handed in")
    add.add_argument("--channel", choices=CHANNEL_CHOICES, required=True)
    add.add_argument("--reference", required=True, help="letter number, e-mail subject, receipt")
    add.add_argument("--user", required=True, help="supervisor user name (password asked)")
    submitted_sub.add_parser("list", help="every recorded submission")
    return parser


def run_report_cli(argv: Sequence[str], open_services: Callable[[], AppServices]) -> int:
    """Run ``loket report …``; returns the exit code."""
    try:
        args = build_report_parser().parse_args(list(argv))
    except SystemExit as stop:  # --help (0) or a usage error (2), already printed
        return int(stop.code or 0)
    services = open_services()
    try:
        if args.kind == "due":
            return _due(services)
        if args.kind == "submitted":
            return _submitted(services, args)
        return _report(services, args)
    except UserFacingError as error:
        print(error.message, file=sys.stderr)
        return 1
    finally:
        services.core.close()


def _report(services: AppServices, args: argparse.Namespace) -> int:
    reports = services.reports
    if args.kind == "period":
        start, end = args.start, args.end
        if end < start:
            print("--to is before --from", file=sys.stderr)
            return 2
    else:
        start, end = reports.period(args.kind, args.day or services.clock().date())
    database = services.core.engine.url
    if not tool_output(Path(args.out), None, database_url=database, force=args.force):
        return 2  # refused before the password is asked
    officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
    if args.format == "pdf":
        data = reports.pdf(officer, args.kind, start, end, args.counter, args.number)
    else:
        data = reports.export(officer, args.format, start, end, args.counter)
    if not tool_output(Path(args.out), data, database_url=database, force=args.force):
        return 2
    counters = ",".join(args.counter) or "all counters"
    print(
        f"{args.kind} report {start.isoformat()}..{end.isoformat()} ({counters}) written to "
        f"{args.out} as {args.format} ({len(data)} bytes, counts only)"
    )
    return 0


def _due(services: AppServices) -> int:
    reminder = services.reports.reminder()
    if reminder is None:
        print("no report owed within the next 14 days")
        return 0
    period = reminder.period
    state = "OVERDUE" if reminder.overdue else f"due in {reminder.days_left} day(s)"
    print(f"report {period.start.isoformat()}..{period.end.isoformat()}: {state} ({period.due})")
    return 0


def _submitted(services: AppServices, args: argparse.Namespace) -> int:
    reports = services.reports
    if args.action == "list":
        rows = reports.submissions()
        if not rows:
            print("no submission recorded")
        for row in rows:
            print(
                f"{row.period_start}..{row.period_end}  handed in {row.submitted_on}  "
                f"{row.channel:<9}  {row.reference}  (recorded by {row.recorded_by})"
            )
        return 0
    officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
    view = reports.record_submission(
        officer, args.start, args.end, args.on, args.channel, args.reference
    )
    print(
        f"submission {view.id} recorded: {view.period_start}..{view.period_end} via {view.channel}"
    )
    return 0
