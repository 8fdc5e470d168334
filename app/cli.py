"""The ``loket`` command: start the app, and the tools administrators and technicians use."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from app import __version__

if TYPE_CHECKING:
    from pathlib import Path

    from app.services.app_core import AppServices
    from app.services.bootstrap import Core
    from app.services.settings import Settings

log = logging.getLogger("app.cli")

NO_DISPLAY_HELP = """\
Loket KTP-el needs a graphical display, and none was found (DISPLAY/WAYLAND_DISPLAY unset).
- On a desktop: start it from a terminal inside the desktop session.
- On a server without a screen, run it on a virtual display:
    apt-get install -y xvfb libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \\
      libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 \\
      libegl1 libgl1 libfontconfig1
    xvfb-run -a ./scripts/demo      (from a clone; or: xvfb-run -a loket demo)
  (or set QT_QPA_PLATFORM=offscreen to start without any window, e.g. for a smoke test).
"""


FORCE_HELP = "replace an existing plain file (never the database, never through a link)"


def has_display() -> bool:
    """True when Qt can open a window here."""
    if sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _cmd_version(_args: argparse.Namespace) -> int:
    print(f"Loket KTP-el {__version__}")
    return 0


def _start_gui(mode: str, args: argparse.Namespace) -> int:
    if not has_display():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    from app.ui.main import run_gui  # Qt is imported only here

    return run_gui(mode=mode, quit_after_ms=getattr(args, "quit_after_ms", None))


def _cmd_demo(args: argparse.Namespace) -> int:
    return _start_gui("demo", args)


def _cmd_run(args: argparse.Namespace) -> int:
    return _start_gui("production", args)


#: ``--demo``: the supervisor tools work on the running demo's database (see demo_state).
_DEMO_FLAG = "--demo"
_use_demo = False


def _take_demo_flag(arguments: list[str]) -> list[str]:
    """Remove ``--demo`` given before or right after the tool's name; remember it."""
    global _use_demo
    _use_demo = False
    for index in (0, 1):
        if len(arguments) > index and arguments[index] == _DEMO_FLAG:
            _use_demo = True
            return arguments[:index] + arguments[index + 1 :]
    return arguments


def _open_demo_core() -> Core:
    """The running demo's database with the demo's keys (from its state file)."""
    from app.services.bootstrap import build_core
    from app.services.demo_state import DemoStateError, find_demo_state
    from app.services.settings import demo_settings

    try:
        state = find_demo_state()
    except DemoStateError as error:
        print(f"loket: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"loket: using the running demo's database ({state.path})", file=sys.stderr)
    try:
        return build_core(
            demo_settings(), secrets=state.secret_store(), database_url=state.database_url
        )
    except _start_refusals() as error:
        raise SystemExit(_refusal(error)) from None


def _settings_for_tools() -> Settings:
    """This PC's settings, or the demo defaults when nothing is configured."""
    from app.services.settings import demo_settings, is_configured, load_settings

    return load_settings() if is_configured() else demo_settings()


def _refusal(error: Exception) -> int:
    """Print a refusal (keys, keyring, database) as a message with what to do; exit status 2.

    A database error never shows its URL (it holds the server's address and the user)."""
    from app.services.error_messages import user_message

    text = user_message(error) or str(getattr(error, "message", error))
    print(f"loket: {text}", file=sys.stderr)
    return 2


def _start_refusals() -> tuple[type[Exception], ...]:
    """What may stop a command from opening the core: each is reported as a message."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.services.keys import KeyProblem
    from app.services.persistence.db import DatabaseError
    from app.services.secrets import SecretStoreUnavailable

    return (KeyProblem, SecretStoreUnavailable, DatabaseError, SQLAlchemyError)


def _cmd_db(args: argparse.Namespace) -> int:
    from app.services.bootstrap import default_secret_store
    from app.services.db_cli import run_db_cli
    from app.services.key_binding import refuse_unusable_keys

    settings = _settings_for_tools()
    if args.rest[:1] == ["upgrade"] and not settings.is_demo:
        try:  # a new database may be created; one written with other keys is not touched
            refuse_unusable_keys(settings.database_url, default_secret_store(settings))
        except _start_refusals() as error:
            return _refusal(error)
    return run_db_cli(args.rest, settings, url=settings.database_owner_url or None)


def _cmd_keys(args: argparse.Namespace) -> int:
    from app.services.bootstrap import default_secret_store
    from app.services.keys_cli import build_keys_parser, run_keys_cli

    if not args.rest or {"-h", "--help"} & set(args.rest[:2]):  # help needs no configuration
        try:
            build_keys_parser().parse_args(args.rest or ["--help"])
        except SystemExit as stop:
            return int(stop.code or 0)
    settings = _settings_for_tools()
    return run_keys_cli(args.rest, settings, default_secret_store(settings))


def _cmd_balikan(args: argparse.Namespace) -> int:
    from app.services.app_core import build_services
    from app.services.balikan.cli import run_balikan_cli
    from app.services.bootstrap import build_core

    if {"-h", "--help"} & set(args.rest[:2]):  # help needs no configuration
        from app.services.balikan.cli import build_balikan_parser

        build_balikan_parser(argparse.ArgumentParser(prog="loket balikan")).parse_args(args.rest)
        return 0
    settings = _settings_for_tools()
    if _use_demo:
        core = _open_demo_core()
    elif settings.is_demo:
        print(
            "loket: Demo mode (no configuration on this PC). For the running demo's queue, "
            "add --demo (loket balikan --demo status).",
            file=sys.stderr,
        )
        return 2
    else:
        try:
            core = build_core(settings)
        except _start_refusals() as error:
            return _refusal(error)
    try:
        services = build_services(core, None)
        assert services.balikan is not None
        try:
            return run_balikan_cli(args.rest, services.balikan, services.officers)
        finally:
            services.balikan.stop()
    finally:
        core.close()


def _cmd_simulator(args: argparse.Namespace) -> int:
    from app.services.simulator.cli import run_simulator_cli

    return run_simulator_cli(args.rest, mode=_settings_for_tools().mode)


def _cmd_reader(args: argparse.Namespace) -> int:
    from app.reader.tool import run_reader_cli
    from app.reader_wiring import reader_config

    settings = _settings_for_tools()
    config = reader_config(settings)
    return run_reader_cli(args.rest, allow_virtual=config.allow_virtual, config=config)


def _open_services(with_gateway: bool = False) -> AppServices:
    from app.services.app_core import build_services
    from app.services.bootstrap import build_core
    from app.services.dukcapil import guidance_text
    from app.services.gateway_setup import build_gateway

    settings = _settings_for_tools()
    if _use_demo:
        core = _open_demo_core()
        settings = core.settings
    elif settings.is_demo:
        print(
            "loket: no configuration on this PC (demo mode). To use this tool on the running "
            "demo's database, add --demo (e.g. loket report --demo daily …); or, in the demo, "
            "sign in as 'supervisor' and use the Reports menu.",
            file=sys.stderr,
        )
        raise SystemExit(3)
    else:
        try:
            core = build_core(settings)
        except _start_refusals() as error:
            raise SystemExit(_refusal(error)) from None
    gateway = build_gateway(settings, core.secrets) if with_gateway else None
    return build_services(core, gateway, guidance=guidance_text)


def _write_out(services: AppServices, path: Path, data: bytes | None, force: bool) -> Path | None:
    """Check (``data`` None) or write an ``--out`` file safely; None when refused."""
    from app.services.safe_output import tool_output

    ok = tool_output(path, data, database_url=services.core.engine.url, force=force)
    return path if ok else None


def _cmd_audit_subject(args: argparse.Namespace) -> int:
    import getpass
    from pathlib import Path

    from app.domain.errors import UserFacingError
    from app.domain.nik import NikError

    services = _open_services()
    if _write_out(services, Path(args.out), None, args.force) is None:
        return 2  # refused before anything is asked
    try:
        supervisor = services.officers.authenticate(args.user, getpass.getpass("password: "))
        # asked, not an argument: a NIK must not end up in the shell history
        nik_text = getpass.getpass("resident's NIK (not shown): ")
        pdf = services.processing_record(nik_text, supervisor)
    except (UserFacingError, NikError) as error:
        print(error.message, file=sys.stderr)
        return 1
    if _write_out(services, Path(args.out), pdf, args.force) is None:
        return 2
    print(f"record of processing written to {args.out}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    if args.action == "subject":
        return _cmd_audit_subject(args)
    from app.domain.i18n import _
    from app.services.audit_cli import run_audit_cli
    from app.services.error_messages import AUDIT_HEAD_UNREADABLE

    services = _open_services()
    try:
        return run_audit_cli(
            args.action,
            services,
            checkpoints=getattr(args, "checkpoint", None) or (),
            incremental=getattr(args, "incremental", False),
        )
    except (ValueError, IndexError):  # the chain's head record is garbage
        print(_(AUDIT_HEAD_UNREADABLE), file=sys.stderr)
        return 2
    finally:
        services.core.close()


def _cmd_report(args: argparse.Namespace) -> int:
    from app.services.reports.cli import run_report_cli

    return run_report_cli(args.rest, _open_services)


def _cmd_incident(args: argparse.Namespace) -> int:
    from app.services.incidents.cli import run_incident_cli

    return run_incident_cli(args.rest, _open_services)


def _cmd_evidence(args: argparse.Namespace) -> int:
    from app.services.evidence.cli import run_evidence_cli

    return run_evidence_cli(args.rest, _open_services)


def _cmd_retention(args: argparse.Namespace) -> int:
    from app.services.retention import run_retention_cli

    return run_retention_cli(list(args.rest), _open_services)


def _cmd_cases(args: argparse.Namespace) -> int:
    from app.services.cases.cli import run_cases_cli

    return run_cases_cli(args.rest, _open_services)


def _cmd_officers(args: argparse.Namespace) -> int:
    from app.services.officers_cli import run_officers_cli

    return run_officers_cli(args.rest, _open_services)


def _cmd_decommission(args: argparse.Namespace) -> int:
    from app.services.decommission import run_decommission_cli

    return run_decommission_cli(args.rest, _open_services)


def _cmd_uninstall_check(args: argparse.Namespace) -> int:
    from app.services.translations import install_language
    from app.services.uninstall_check import run_uninstall_check_cli

    settings = _settings_for_tools()
    install_language(settings.ui.language)
    return run_uninstall_check_cli(args.rest, settings)


def _cmd_doctor(args: argparse.Namespace) -> int:
    from app.doctor_reader import reader_checks
    from app.reader_wiring import reader_config
    from app.services.doctor import Check
    from app.services.doctor.cli import run_doctor_cli

    def probe() -> list[Check]:
        return reader_checks(reader_config(_settings_for_tools()))

    return run_doctor_cli(args.rest, probe)


def _cmd_secrets(args: argparse.Namespace) -> int:
    import getpass

    from app.services.bootstrap import default_secret_store
    from app.services.keys import KeyProblem, KeyRing
    from app.services.secrets import (
        ENCRYPTION_KEY,
        HMAC_KEY,
        KNOWN_SECRETS,
        SecretStoreUnavailable,
    )

    settings = _settings_for_tools()
    store = default_secret_store(settings)
    try:
        if args.action == "status":
            for name in KNOWN_SECRETS:
                print(f"{name}: {'set' if store.get(name) else 'missing'}")
            if not settings.is_demo:
                try:
                    KeyRing.load(store)
                except KeyProblem as error:
                    return _refusal(error)
            return 0
        if args.name in (HMAC_KEY, ENCRYPTION_KEY):
            print(
                "keys are never typed in: use `loket keys init` (a new agency) or "
                "`loket keys import FILE` (the agency's key bundle)",
                file=sys.stderr,
            )
            return 2
        if args.name not in KNOWN_SECRETS:
            print(
                f"unknown secret {args.name!r}; one of: {', '.join(KNOWN_SECRETS)}", file=sys.stderr
            )
            return 2
        value = getpass.getpass(f"{args.name}: ")
        if not value:
            print("nothing entered; unchanged", file=sys.stderr)
            return 1
        store.set(args.name, value)
        if store.get(args.name) != value:  # a backend that accepts and forgets
            print(
                f"{args.name} was NOT stored: the {store.label} did not keep it. Ask the "
                "administrator to set up the system keyring, then try again.",
                file=sys.stderr,
            )
            return 2
        print(f"{args.name} stored in the {store.label}")
        return 0
    except SecretStoreUnavailable as error:
        print(error.message, file=sys.stderr)
        return 2


def _optional_part(module: str, detail: str = "") -> str:
    """``available`` (or the module's ``detail`` attribute) when ``module`` imports."""
    import importlib

    try:
        loaded = importlib.import_module(module)
    except Exception as error:  # missing, or present but broken (e.g. no libpq)
        return f"missing ({type(error).__name__})"
    return str(getattr(loaded, detail, "available")) if detail else "available"


def _cmd_selfcheck(args: argparse.Namespace) -> int:
    """Prove an installed form is complete: resources, translations and migrations load.

    Hidden (not in ``--help``); the frozen-bundle test and a technician after installing use it.
    Touches no configuration and no real database: it migrates a fresh SQLite file in
    ``--data-dir`` (default: a temporary folder, removed afterwards).
    """
    import shutil
    import tempfile
    from pathlib import Path

    from app.domain.regions import default_regions
    from app.domain.resource_files import resources_dir
    from app.services.dukcapil.profiles import load_profiles
    from app.services.persistence.db import (
        MIGRATIONS_DIR,
        create_db_engine,
        current_revision,
        head_revision,
        sqlite_url,
        upgrade_database,
    )
    from app.services.translations import translator

    print(f"version: {__version__}")
    resources = resources_dir()
    print(f"resources: {resources}")
    print(f"region 3303: {default_regions().name('3303')}")
    print(f"profiles: {len(load_profiles(resources))}")
    print(f"translations id: {len(translator('id'))} messages")
    print(f"card reader (pyscard): {_optional_part('smartcard.scard')}")
    print(f"postgresql (psycopg): {_optional_part('psycopg.pq', '__impl__')}")
    print(f"migrations: {MIGRATIONS_DIR}")
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="loket-"))
    database = data_dir / "selfcheck.sqlite3"
    for stale in data_dir.glob(database.name + "*"):  # a previous check's file: start fresh
        stale.unlink()
    engine = create_db_engine(sqlite_url(database))
    try:
        upgrade_database(engine)
        current, head = current_revision(engine), head_revision()
    finally:
        engine.dispose()
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(f"schema: {current} (head {head})")
    if current != head:
        print("selfcheck failed: the database did not reach the newest schema", file=sys.stderr)
        return 1
    print("selfcheck ok")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="loket",
        description="Loket KTP-el - NIK verification at the service counter.",
        epilog=(
            "--demo (before or right after the tool's name, e.g. 'loket report --demo daily'): "
            "the supervisor tools (report, audit, balikan, cases, incident, retention) work on "
            "the running demo's database, found through the state file it prints at start."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    version = sub.add_parser("version", help="print the version")
    version.set_defaults(func=_cmd_version)

    demo = sub.add_parser("demo", help="start the app in demo mode (simulator, SQLite, demo data)")
    demo.add_argument("--quit-after-ms", type=int, default=None, help=argparse.SUPPRESS)
    demo.set_defaults(func=_cmd_demo)

    run = sub.add_parser("run", help="start the app with this PC's configuration")
    run.add_argument("--quit-after-ms", type=int, default=None, help=argparse.SUPPRESS)
    run.set_defaults(func=_cmd_run)

    simulator = sub.add_parser(
        "simulator",
        help="run the gateway simulator as an HTTP(S) server (demo/tests only); "
        "'simulator receipts --record DIR' summarises what it received",
        add_help=False,
    )
    simulator.add_argument("rest", nargs=argparse.REMAINDER)
    simulator.set_defaults(func=_cmd_simulator)

    reader = sub.add_parser(
        "reader", help="card reader tool: list, sam, watch, read", add_help=False
    )
    reader.add_argument("rest", nargs=argparse.REMAINDER)
    reader.set_defaults(func=_cmd_reader)

    for name, text in (
        ("db", "database schema: upgrade | current | grants"),
        ("balikan", "data balikan: status | send | export | confirm | params | requeue"),
        ("keys", "the agency's keys: init | status | export | import"),
    ):
        tool = sub.add_parser(name, help=text, add_help=False)
        tool.add_argument("rest", nargs=argparse.REMAINDER)

    audit = sub.add_parser("audit", help="audit trail tools")
    audit_sub = audit.add_subparsers(dest="action", required=True)
    verify = audit_sub.add_parser(
        "verify", help="check the hash chain (streaming); name the first problem"
    )
    verify.add_argument(
        "--checkpoint",
        action="append",
        metavar="CODE",
        help="a printed checkpoint (LKA-...) the trail must still match; may be repeated",
    )
    verify.add_argument(
        "--incremental",
        action="store_true",
        help="check only the records added since the last intact verification",
    )
    audit_sub.add_parser(
        "checkpoint", help="print a signed checkpoint code of the trail (keep it on paper)"
    )
    subject = audit_sub.add_parser(
        "subject", help="a resident's record of processing of their data (PDF; NIK asked)"
    )
    subject.add_argument("--user", required=True, help="supervisor user name (password asked)")
    subject.add_argument("--out", required=True, help="PDF file to write for the resident")
    subject.add_argument("--force", action="store_true", help=FORCE_HELP)
    audit.set_defaults(func=_cmd_audit)

    # tools that parse their own arguments, --help included (see _PASS_THROUGH)
    for name, text in (
        ("report", "usage reports: daily | semester | period (pdf/csv/xlsx), due, submitted"),
        ("doctor", "diagnose this counter (ok / warning / error per item; --json)"),
        ("incident", "personal-data incidents: new | list | export | notice | notified"),
        ("evidence", "evidence pack (PDF): clause, control, tests, results"),
        ("retention", "retention periods: show | purge"),
        (
            "cases",
            "returned and interrupted cases: returned | close | expire | interrupted | "
            "close-interrupted",
        ),
        ("decommission", "end this counter's use: final report, BAST, wipe keys and data"),
        ("officers", "officer records: User-ID form (PDF) | export (XLSX) | changes"),
        ("uninstall-check", "may this installation be removed? (refused while data is owed)"),
    ):
        tool = sub.add_parser(name, help=text, add_help=False)
        tool.add_argument("rest", nargs=argparse.REMAINDER)

    secrets = sub.add_parser("secrets", help="store secrets in the OS keyring")
    secrets_sub = secrets.add_subparsers(dest="action", required=True)
    secrets_sub.add_parser("status", help="which secrets are set")
    secret_set = secrets_sub.add_parser("set", help="store one secret (asked without echo)")
    secret_set.add_argument("name")
    secrets.set_defaults(func=_cmd_secrets)

    # hidden (no help= keeps it out of the list): checks an installed form of the app
    selfcheck = sub.add_parser("selfcheck")
    selfcheck.add_argument("--data-dir", help="folder for the probe's SQLite file")
    selfcheck.set_defaults(func=_cmd_selfcheck)
    return parser


_PASS_THROUGH = {
    "simulator": _cmd_simulator,
    "reader": _cmd_reader,
    "db": _cmd_db,
    "balikan": _cmd_balikan,
    "cases": _cmd_cases,
    "report": _cmd_report,
    "doctor": _cmd_doctor,
    "incident": _cmd_incident,
    "evidence": _cmd_evidence,
    "retention": _cmd_retention,
    "decommission": _cmd_decommission,
    "uninstall-check": _cmd_uninstall_check,
    "keys": _cmd_keys,
    "officers": _cmd_officers,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``loket`` console script."""
    parser = build_parser()
    arguments = _take_demo_flag(list(sys.argv[1:] if argv is None else argv))
    if arguments and arguments[0] in _PASS_THROUGH:
        # these tools parse their own arguments (including --help)
        args = argparse.Namespace(func=_PASS_THROUGH[arguments[0]], rest=arguments[1:])
    else:
        args = parser.parse_args(arguments)
    try:
        return int(args.func(args))
    except SystemExit as stop:  # a refusal already printed its message
        return stop.code if isinstance(stop.code, int) else 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a message with what to do, never a traceback
        print(f"loket: {failure_message(error)}", file=sys.stderr)
        return 2


def failure_message(error: BaseException) -> str:
    """The message for a failed command; unknown errors get a crash record and its number."""
    from app.domain.i18n import _
    from app.services.crash import write_crash_record
    from app.services.error_messages import UNEXPECTED, user_message

    message = user_message(error)
    if message is None:
        reference = write_crash_record(type(error), error, error.__traceback__)
        message = _(UNEXPECTED).format(reference=reference)
    return message


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
