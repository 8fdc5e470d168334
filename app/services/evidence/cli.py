"""``loket evidence --out DIR``: write the evidence pack (PDF) for an auditor."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.errors import UserFacingError
from app.domain.i18n import _
from app.services.safe_output import database_files, write_output

if TYPE_CHECKING:
    from app.services.app_core import AppServices
    from app.services.officers import OfficerView


def write_evidence(
    services: AppServices, officer: OfficerView, out_dir: Path, junit_path: Path
) -> Path:
    """Build the pack, write it into ``out_dir`` and audit that it was made (supervisors)."""
    from app.services.evidence.pack import EvidenceFacts, read_junit, render_evidence
    from app.services.officers import NotPermitted, Role

    if not officer.has_role(Role.SUPERVISOR):
        raise NotPermitted(officer.username)
    problem = services.verify_audit()
    audit_result = (
        _("intact (hash chain verified)")
        if problem is None
        else _("BROKEN at record {seq}: {reason}").format(
            seq=getattr(problem, "seq", "?"), reason=getattr(problem, "reason", "")
        )
    )
    settings = services.core.settings
    now = services.clock()
    facts = EvidenceFacts(
        agency_name=settings.agency.name,
        counter_id=settings.counter_id,
        generated_at=now,
        generated_by=officer.display_name,
        audit_result=audit_result,
        junit_path=junit_path,
        demo=settings.is_demo,
    )
    pdf = render_evidence(facts, read_junit(junit_path), settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"evidence-{settings.counter_id}-{now:%Y%m%d-%H%M}.pdf"
    # a new file beside the others, never over the database or through a link
    write_output(target, pdf, protected=database_files(services.core.engine.url))
    with services.core.sessions.begin() as session:
        services.audit.append(
            session, officer.username, "evidence.generated", detail={"file": target.name}
        )
    return target


def run_evidence_cli(argv: Sequence[str], open_services: Callable[[], AppServices]) -> int:
    """Run ``loket evidence``; returns the exit code."""
    from app.services.evidence.pack import DEFAULT_JUNIT

    parser = argparse.ArgumentParser(
        prog="loket evidence",
        description="Write the evidence pack: clause by clause the control, its tests and their "
        "latest result, the audit verify result and the settings in force (no secrets).",
    )
    parser.add_argument("--out", required=True, help="folder to write the PDF into")
    parser.add_argument(
        "--junit",
        default=str(DEFAULT_JUNIT),
        help="JUnit XML of the latest test run (default: .test-results/junit.xml)",
    )
    parser.add_argument("--user", required=True, help="supervisor user name (password asked)")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    services = open_services()
    try:
        officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
        target = write_evidence(services, officer, Path(args.out), Path(args.junit))
    except UserFacingError as error:
        print(error.message, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"cannot write to {args.out}: {error.strerror}", file=sys.stderr)
        return 2
    finally:
        services.core.close()
    print(f"evidence pack written to {target}")
    return 0
