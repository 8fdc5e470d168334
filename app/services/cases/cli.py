"""``loket cases returned | close | expire | interrupted | close-interrupted`` (R-20).

Lists carry the case number, the counter, the date and the age only: no NIK, no names.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from app.services.admin_cli_runner import PasswordReader, run_admin_cli

if TYPE_CHECKING:
    from app.services.app_core import AppServices
    from app.services.officers import OfficerView


def build_cases_parser() -> argparse.ArgumentParser:
    """The ``loket cases`` parser."""
    parser = argparse.ArgumentParser(
        prog="loket cases",
        description=(
            "Returned cases waiting for the applicant, and cases a crash left open. "
            "Closing one releases the data balikan it owes."
        ),
    )
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("returned", help="returned cases: number, returned on, age in days")
    close = sub.add_parser(
        "close", help="a supervisor closes a returned case: the applicant did not come back"
    )
    close.add_argument("number", help="the case number")
    close.add_argument("--user", required=True, help="supervisor user name (password asked)")
    sub.add_parser(
        "expire",
        help="close the returned cases older than retention.returned_case_days now "
        "(the app also does it at start-up and daily)",
    )
    sub.add_parser(
        "interrupted",
        help="open cases of any counter untouched for an hour (left by a crash or a retired PC)",
    )
    close_interrupted = sub.add_parser(
        "close-interrupted", help="a supervisor closes an interrupted case from any counter"
    )
    close_interrupted.add_argument("number", help="the case number")
    close_interrupted.add_argument(
        "--user", required=True, help="supervisor user name (password asked)"
    )
    return parser


def run_cases_cli(
    argv: Sequence[str],
    open_services: Callable[[], AppServices],
    *,
    ask_password: PasswordReader | None = None,
    out: TextIO | None = None,
) -> int:
    """Run one ``loket cases`` action; the exit status (2: refused, with a message)."""
    return run_admin_cli(
        build_cases_parser(),
        _run,
        argv,
        open_services,
        ask_password=ask_password,
        out=out,
    )


def _supervisor(services: AppServices, username: str, ask_password: PasswordReader) -> OfficerView:
    from app.services.cases.errors import SupervisorRequired
    from app.services.officers import Role

    officer = services.officers.authenticate(username, ask_password("password: "))
    if not officer.has_role(Role.SUPERVISOR):
        raise SupervisorRequired()
    return officer


def _run(
    services: AppServices,
    args: argparse.Namespace,
    ask_password: PasswordReader,
    out: TextIO,
) -> int:
    returned = services.returned
    if args.action == "returned":
        rows = returned.returned()
        if not rows:
            print("no returned case", file=out)
        for row in rows:
            print(
                f"{row.number}  returned {row.since:%Y-%m-%d}  age {row.age_days} day(s)  "
                f"counter {row.counter_id}",
                file=out,
            )
        print(f"returned cases close after {returned.returned_days} day(s)", file=out)
        return 0
    if args.action == "expire":
        closed = returned.expire()
        print(f"{len(closed)} returned case(s) closed: applicant did not come back", file=out)
        return 0
    if args.action == "interrupted":
        rows = returned.interrupted()
        if not rows:
            print("no interrupted case", file=out)
        for row in rows:
            print(
                f"{row.number}  counter {row.counter_id}  at step {row.state}  "
                f"last used {row.since:%Y-%m-%d %H:%M}  age {row.age_days} day(s)",
                file=out,
            )
        return 0
    supervisor = _supervisor(services, args.user, ask_password)
    if args.action == "close":
        returned.close_returned(supervisor, args.number)
        print(f"case {args.number} closed: applicant did not come back", file=out)
        return 0
    returned.check_interrupted(args.number)
    services.cases.cancel_interrupted(supervisor, args.number, "")
    print(f"interrupted case {args.number} closed", file=out)
    return 0
