"""``loket balikan status | send | export | confirm | params | requeue``."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app.domain.i18n import _
from app.services.admin_cli_runner import PasswordReader
from app.services.balikan.client import BalikanSetupError
from app.services.balikan.export import NOT_SUPERVISOR, ExportError
from app.services.balikan.service import BalikanService
from app.services.officers import OfficerError, OfficerService, OfficerView, Role
from app.services.safe_output import OutputRefused
from app.services.secrets import SecretMissing, SecretStoreUnavailable


def build_balikan_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the balikan sub-commands to ``parser``."""
    sub = parser.add_subparsers(dest="balikan_command", required=True, metavar="ACTION")
    sub.add_parser("status", help="items owed, exported, needing attention and delivered")
    send = sub.add_parser("send", help="deliver owed items to the web service")
    send.add_argument("--once", action="store_true", help="one round, then exit")
    export = sub.add_parser("export", help="write owed items to a CSV or XLSX file (supervisor)")
    export.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    export.add_argument("--out", required=True, type=Path, help="new file to write")
    export.add_argument(
        "--force", action="store_true", help="replace an existing plain file (never the database)"
    )
    export.add_argument("--user", required=True, help="supervisor's user name")
    confirm = sub.add_parser("confirm", help="a supervisor confirms an export was uploaded")
    which = confirm.add_mutually_exclusive_group(required=True)
    which.add_argument("--file", type=Path, help="the export file exactly as uploaded")
    which.add_argument("--all-exported", action="store_true", help="every exported item")
    confirm.add_argument("--user", required=True, help="supervisor's user name")
    sub.add_parser("params", help="show the param keys the web service expects")
    requeue = sub.add_parser("requeue", help="send items needing attention again (supervisor)")
    requeue.add_argument("--user", required=True, help="supervisor's user name")
    return parser


def _supervisor(
    officers: OfficerService, username: str, ask_password: PasswordReader
) -> OfficerView:
    officer = officers.authenticate(username, ask_password(_("Password: ")))
    if not officer.has_role(Role.SUPERVISOR):
        raise ExportError(NOT_SUPERVISOR)
    return officer


def _status(service: BalikanService, out: TextIO) -> int:
    status = service.status()
    print(_("Data balikan owed: {count}").format(count=status.owed), file=out)
    print(_("  waiting to be sent: {count}").format(count=status.pending), file=out)
    print(
        _("  exported, upload not yet confirmed: {count}").format(count=status.exported), file=out
    )
    print(_("  needing attention: {count}").format(count=status.attention), file=out)
    print(_("Delivered: {count}").format(count=status.delivered), file=out)
    held = status.held
    if held is not None:
        print(
            _("Held (case still open, not yet sendable): {count}").format(count=held.count),
            file=out,
        )
        if held.oldest is not None:
            print(_("  oldest held since: {when}").format(when=f"{held.oldest:%Y-%m-%d}"), file=out)
            for label, count in held.bands:
                print(_("  held {days} days: {count}").format(days=label, count=count), file=out)
    if status.next_due is not None and status.pending:
        print(_("Next attempt: {when}").format(when=f"{status.next_due:%Y-%m-%d %H:%M}"), file=out)
    return 0


def _send(service: BalikanService, once: bool, out: TextIO) -> int:
    if once:
        report = service.send_once()
        print(
            _(
                "Delivered {new}, already delivered {old}, to retry {retry}, attention {attention}."
            ).format(
                new=report.delivered,
                old=report.duplicates,
                retry=report.retried,
                attention=report.attention,
            ),
            file=out,
        )
        if report.unauthorised:
            print(_("The web service refused the token: ask the administrator."), file=out)
            return 1
        if report.tls_refused:
            print(
                _(
                    "The web service's certificate is not the imported one: nothing was sent. "
                    "Ask the administrator to check balikan.certificate_file."
                ),
                file=out,
            )
            return 1
        return 0
    if not service.start_background(idle_seconds=30.0):
        raise BalikanSetupError("balikan.delivery or balikan.base_url")
    print(_("Sending in the background; press Ctrl+C to stop."), file=out)
    try:
        while service.sender().running:
            time.sleep(1.0)
    except KeyboardInterrupt:
        service.stop()
    return 0


def run_balikan_cli(
    argv: Sequence[str],
    service: BalikanService,
    officers: OfficerService,
    *,
    ask_password: PasswordReader = getpass.getpass,
    out: TextIO | None = None,
) -> int:
    """Run one ``loket balikan`` action; return the exit status."""
    stream = out or sys.stdout
    parser = build_balikan_parser(argparse.ArgumentParser(prog="loket balikan"))
    args = parser.parse_args(list(argv))
    try:
        command = args.balikan_command
        if command == "status":
            return _status(service, stream)
        if command == "send":
            return _send(service, bool(args.once), stream)
        if command == "params":
            keys = service.param_keys()
            print(", ".join(keys), file=stream)
            settings = service.settings
            missing = [
                key
                for key in (settings.number_key, settings.programme_key)
                if key and key not in keys
            ]
            if missing:
                print(
                    _("Configured keys the web service does not expect: {keys}").format(
                        keys=", ".join(missing)
                    ),
                    file=stream,
                )
                return 1
            return 0
        supervisor = _supervisor(officers, args.user, ask_password)
        if command == "export":
            result = service.export(args.out, args.format, supervisor.username, force=args.force)
            print(
                _("Exported {count} item(s) to {file}. Upload it, then run 'confirm'.").format(
                    count=result.count, file=result.path
                ),
                file=stream,
            )
            return 0
        if command == "confirm":
            count = service.confirm(supervisor, file=args.file, all_exported=args.all_exported)
            print(_("{count} item(s) now count as delivered.").format(count=count), file=stream)
            return 0
        count = service.requeue_attention(supervisor.username)
        print(_("{count} item(s) queued again.").format(count=count), file=stream)
        return 0
    except (ExportError, OutputRefused) as error:
        print(error.message, file=sys.stderr)
    except OfficerError as error:
        print(error.message, file=sys.stderr)
    except (SecretMissing, SecretStoreUnavailable) as error:
        print(error.message, file=sys.stderr)
    except BalikanSetupError as error:
        print(_("Data balikan is not set up: {detail}").format(detail=error), file=sys.stderr)
    except OSError as error:
        print(
            _("The file cannot be written: {detail}").format(detail=error.strerror), file=sys.stderr
        )
    return 1
