"""What every administrative sub-command (``loket cases``, ``loket officers``) does around its
action: parse, open the services, turn a refusal into a message and exit status 2, close."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from app.domain.errors import UserFacingError

if TYPE_CHECKING:
    from app.services.app_core import AppServices

PasswordReader = Callable[[str], str]
Action = Callable[["AppServices", argparse.Namespace, PasswordReader, TextIO], int]


def run_admin_cli(
    parser: argparse.ArgumentParser,
    action: Action,
    argv: Sequence[str],
    open_services: Callable[[], AppServices],
    *,
    ask_password: PasswordReader | None = None,
    out: TextIO | None = None,
    prefix: str = "",
) -> int:
    """Parse ``argv``, run ``action`` on freshly opened services; the exit status.

    ``--help`` and parse errors end with argparse's own status; a refusal prints its
    message (after ``prefix``) on stderr and gives 2. The services are always closed."""
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    services = open_services()
    try:
        return action(services, args, ask_password or getpass.getpass, out or sys.stdout)
    except UserFacingError as error:
        print(f"{prefix}{error.message}", file=sys.stderr)
        return 2
    finally:
        services.core.close()
