"""``loket doctor [--json]``: print the diagnosis; exit 1 when any line is an error."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from app.domain.i18n import _
from app.services.doctor import DoctorReport, ReaderProbe, Status, error


def build_doctor_parser() -> argparse.ArgumentParser:
    """The ``loket doctor`` parser."""
    parser = argparse.ArgumentParser(
        prog="loket doctor",
        description=(
            "Diagnose this counter: versions, administrator file, secrets (set or not, never "
            "their values), database, gateway and data balikan endpoints (TLS pin, certificate "
            "expiry, clock), reader and SAM, quota, agreement term."
        ),
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def run_doctor_cli(argv: Sequence[str], reader_probe: ReaderProbe | None) -> int:
    """Run the doctor for this PC's configuration; 0 when no line is an error."""
    from app.services.bootstrap import default_secret_store
    from app.services.doctor.run import run_doctor
    from app.services.settings import (
        SettingsError,
        admin_settings_path,
        demo_settings,
        is_configured,
        load_settings,
    )

    try:
        args = build_doctor_parser().parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    path = admin_settings_path()
    try:
        settings = load_settings() if is_configured() else demo_settings()
    except SettingsError as failure:
        report = DoctorReport(
            [
                error(
                    "admin_file",
                    _("{path} is invalid: {detail}").format(path=path, detail=failure),
                    _("Correct the administrator file; the counter does not start with it."),
                )
            ]
        )
    else:
        report = run_doctor(
            settings,
            default_secret_store(settings),
            admin_path=Path(path),
            reader_probe=reader_probe,
        )
    print(report.to_json() if args.json else report.to_text())
    return 1 if report.worst is Status.ERROR else 0
