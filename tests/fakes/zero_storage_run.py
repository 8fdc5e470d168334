"""Child process of the zero-storage test: serve many cases, then die by SIGKILL mid-case.

Usage: python -m tests.fakes.zero_storage_run ROOT CASES
All app directories (data, logs, config, temp) live under ROOT.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path


def main() -> None:
    root = Path(sys.argv[1])
    count = int(sys.argv[2])
    os.environ["LOKET_DATA_DIR"] = str(root / "data")
    os.environ["LOKET_LOG_DIR"] = str(root / "logs")
    os.environ["LOKET_USER_CONFIG"] = str(root / "config" / "settings.toml")
    os.environ["LOKET_ADMIN_CONFIG"] = str(root / "config" / "admin.toml")
    os.environ["TMPDIR"] = str(root / "tmp")
    (root / "tmp").mkdir(parents=True, exist_ok=True)

    import logging
    import tempfile

    tempfile.tempdir = str(root / "tmp")

    from dataclasses import replace

    from app.domain.case_reasons import CaseReason
    from app.domain.guard_rules import GuardThresholds
    from app.domain.outcomes import OutcomeKind
    from app.services.cases import Decision, NikSource
    from app.services.demo import build_demo
    from app.services.documents.issued import IssuedDocument, render_issued_document
    from app.services.logging_setup import configure_logging
    from app.services.settings import settings_from_dicts
    from app.services.simulator import GatewaySimulator, SimulatorConfig
    from tests.fakes.canary import canary_population

    configure_logging(logging.DEBUG)
    now = [datetime(2026, 11, 23, 8, 0)]

    def clock() -> datetime:
        now[0] += timedelta(seconds=41)
        return now[0]

    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agency": {"id_lembaga": "330301", "name": "Bappelitbangda Contoh"},
            "agreement": {
                "start": datetime(2025, 1, 1).date(),
                "end": datetime(2027, 9, 16).date(),
            },
            "quota": {"daily_limit": 1000},
        }
    )
    # the canary population is small and dense: switch the pattern rules off for this run
    # only (settings refuse it; the rules themselves are tested elsewhere)
    settings = replace(settings, guard=GuardThresholds(burst_count=0, neighbour_serial_distance=0))
    population = canary_population()
    simulator = GatewaySimulator(
        SimulatorConfig(daily_quota=1000), mode="test", clock=clock, population=population
    )
    world = build_demo(root / "data", settings, clock=clock, simulator=simulator)
    services = world.services
    officer = services.officers.authenticate("petugas", "demo1234")
    cases = services.cases
    people = population.people()
    for index in range(count):
        nik = people[(index * 7) % len(people)].nik
        case = cases.open_case(officer, "PKH", "Pendaftaran PKH")
        cases.check_documents(case, officer, {"KTP-el": True})
        view = cases.look_up(case, officer, nik, NikSource.TYPED)
        logging.getLogger("app.test").info("served case %s outcome %s", case.number, view.kind)
        path = index % 4
        if view.kind is OutcomeKind.FOUND and path in (0, 1):
            cases.decide(case, officer, Decision.APPROVE, documents_match=True)
            cases.issue(case, officer)
            render_issued_document(
                IssuedDocument(
                    agency_name=settings.agency.name,
                    agency_address="",
                    case_number=case.number,
                    document_number=case.document_number or "",
                    programme=case.programme,
                    officer_name=officer.display_name,
                    issued_at=clock(),
                    decision="DISETUJUI",
                    outcome=view.kind,
                    nik=case.nik,
                    demo=True,
                )
            )
            cases.record_printed(case, officer)
            cases.hand_over(case, officer, "REG-1")
            cases.close(case, officer)
        elif path == 2:
            cases.decide(
                case, officer, Decision.RETURN, "berkas kurang", reasons=[CaseReason.KK_DIFFERS]
            )
            resumed = cases.resume_returned(officer, case.number, nik, NikSource.CARD)
            cases.look_up(resumed, officer, nik, NikSource.CARD)
            cases.cancel(resumed, officer, "pemohon membatalkan")
        else:
            cases.decide(
                case,
                officer,
                Decision.REFUSE,
                "tidak memenuhi syarat",
                reasons=[CaseReason.NOT_ELIGIBLE],
            )
            cases.close(case, officer)
    # What a supervisor saves: every report, the data balikan exports, a record of processing.
    out = root / "out"
    out.mkdir()
    supervisor = services.officers.authenticate("supervisor", "demo1234")
    day = now[0].date()
    (out / "daily.pdf").write_bytes(services.report("daily", day, supervisor))
    (out / "semester.pdf").write_bytes(services.report("semester", day, supervisor))
    (out / "subject.pdf").write_bytes(services.processing_record(people[0].nik, supervisor))
    assert services.balikan is not None
    services.balikan.export(out / "balikan.csv", "csv", "supervisor")
    services.balikan.export(out / "balikan.xlsx", "xlsx", "supervisor")
    # Mid-case: a FOUND record is in memory when the process is killed.
    found = population.examples()["found"]
    case = cases.open_case(officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, officer, {"KTP-el": True})
    view = cases.look_up(case, officer, found, NikSource.CARD)
    assert view.record is not None
    # the canaries really reached the screen-side record (so the scan is meaningful)
    assert any(str(value).startswith("KNRY") for value in view.record.values())
    print("KILLING", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
