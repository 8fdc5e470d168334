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
    from app.services.settings import Settings

log = logging.getLogger("app.cli")

NO_DISPLAY_HELP = """\
Loket KTP-el needs a graphical display, and none was found (DISPLAY/WAYLAND_DISPLAY unset).
- On a desktop: start it from a terminal inside the desktop session.
- On a server without a screen, run it on a virtual display:
    apt-get install -y xvfb libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \\
      libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 \\
      libegl1 libgl1 libfontconfig1
    xvfb-run -a loket demo
  (or set QT_QPA_PLATFORM=offscreen to start without any window, e.g. for a smoke test).
"""


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


def _load_settings() -> Settings:
    from app.services.settings import demo_settings, is_configured, load_settings

    return load_settings() if is_configured() else demo_settings()


def _cmd_db(args: argparse.Namespace) -> int:
    from app.services.db_cli import run_db_cli

    return run_db_cli(args.rest, _load_settings())


def _cmd_balikan(args: argparse.Namespace) -> int:
    from app.services.app_core import build_services
    from app.services.balikan.cli import run_balikan_cli
    from app.services.bootstrap import build_core

    settings = _load_settings()
    if settings.is_demo:
        print(
            "Demo mode keeps its keys in memory only, so a separate command cannot read what "
            "the demo app queued. Configure the counter first.",
            file=sys.stderr,
        )
        return 2
    core = build_core(settings)
    try:
        services = build_services(core, None)
        assert services.balikan is not None
        try:
            return run_balikan_cli(args.rest, services.balikan, services.officers)
        finally:
            services.balikan.stop()
    finally:
        core.close()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="loket", description="Loket KTP-el - NIK verification at the service counter."
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

    db = sub.add_parser("db", help="database schema: upgrade | current", add_help=False)
    db.add_argument("rest", nargs=argparse.REMAINDER)
    db.set_defaults(func=_cmd_db)

    balikan = sub.add_parser(
        "balikan", help="data balikan: status | send | export | confirm | params", add_help=False
    )
    balikan.add_argument("rest", nargs=argparse.REMAINDER)
    balikan.set_defaults(func=_cmd_balikan)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``loket`` console script."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
