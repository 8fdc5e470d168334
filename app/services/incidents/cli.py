"""``loket incident new|list|export|notice|notified``: the supervisor's incident register."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.errors import UserFacingError
from app.services.safe_output import tool_output

if TYPE_CHECKING:
    from app.services.app_core import AppServices


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid time {text!r}; use YYYY-MM-DD HH:MM") from None


def build_incident_parser() -> argparse.ArgumentParser:
    """The ``loket incident`` parser."""
    parser = argparse.ArgumentParser(
        prog="loket incident",
        description="Personal-data incidents: record, list, export (counts only), notice draft.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    new = sub.add_parser("new", help="record an incident (residents counted from the audit)")
    new.add_argument("--summary", required=True, help="what happened (no NIK, no names)")
    new.add_argument("--discovered", type=_moment, required=True, help="YYYY-MM-DD HH:MM")
    new.add_argument("--from", dest="start", type=_moment, help="incident window start")
    new.add_argument("--to", dest="end", type=_moment, help="incident window end")
    new.add_argument("--counter", action="append", default=[], help="affected counter")
    new.add_argument("--measures", default="", help="handling and recovery so far")
    new.add_argument("--user", required=True, help="supervisor user name (password asked)")
    sub.add_parser("list", help="every incident with its 3x24-hour deadline")
    export = sub.add_parser("export", help="the incidents' counts and dates as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--out", required=True)
    notice = sub.add_parser("notice", help="the written notice draft (PDF, Indonesian)")
    notice.add_argument("number")
    notice.add_argument("--out", required=True)
    notice.add_argument("--signer", default="", help="name of the head of the agency")
    notified = sub.add_parser("notified", help="record that the notice was sent")
    notified.add_argument("number")
    notified.add_argument("--user", required=True, help="supervisor user name (password asked)")
    return parser


def run_incident_cli(argv: Sequence[str], open_services: Callable[[], AppServices]) -> int:
    """Run ``loket incident …``; returns the exit code."""
    try:
        args = build_incident_parser().parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    services = open_services()
    try:
        return _run(services, args)
    except UserFacingError as error:
        print(error.message, file=sys.stderr)
        return 1
    finally:
        services.core.close()


def _run(services: AppServices, args: argparse.Namespace) -> int:
    from app.services.incidents.notice import export_incidents, notice_pdf

    incidents = services.incidents
    now = services.clock()
    if args.action == "new":
        officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
        view = incidents.record(
            officer,
            summary=args.summary,
            discovered_at=args.discovered,
            occurred_from=args.start,
            occurred_to=args.end,
            counters=args.counter,
            measures=args.measures,
        )
        print(
            f"incident {view.number} recorded: {view.residents} resident(s) in the audit; "
            f"notice due by {view.deadline:%Y-%m-%d %H:%M}"
        )
        return 0
    if args.action == "list":
        rows = incidents.list()
        if not rows:
            print("no incident recorded")
        for view in rows:
            left = view.time_left(now)
            if view.notified_at:
                state = f"notified {view.notified_at:%Y-%m-%d %H:%M}"
            elif left.total_seconds() < 0:
                state = "NOTICE OVERDUE"
            else:
                state = f"{int(left.total_seconds() // 3600)} h left"
            print(
                f"{view.number}  discovered {view.discovered_at:%Y-%m-%d %H:%M}  "
                f"due {view.deadline:%Y-%m-%d %H:%M}  {state}  residents {view.residents}  "
                f"counters {','.join(view.counters) or '*'}"
            )
        return 0
    if args.action == "export":
        data = export_incidents(incidents.list(), args.format)
        if not tool_output(Path(args.out), data, database_url=services.core.engine.url):
            return 2
        print(f"{len(incidents.list())} incident(s) written to {args.out} (counts only)")
        return 0
    if args.action == "notice":
        settings = services.core.settings
        pdf = notice_pdf(
            incidents.get(args.number),
            agency_name=settings.agency.name,
            agency_address=settings.agency.address,
            signer=args.signer,
            printed_at=now,
            demo=settings.is_demo,
        )
        if not tool_output(Path(args.out), pdf, database_url=services.core.engine.url):
            return 2
        print(f"notice draft for {args.number} written to {args.out}")
        return 0
    officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
    view = incidents.mark_notified(officer, args.number)
    print(f"incident {view.number}: notice recorded as sent")
    return 0
