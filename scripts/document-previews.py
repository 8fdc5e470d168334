"""Render the printed documents of a demo day to PNG pages in docs/ (via pdftoppm).

Statement of verification, return slip and the supervisor's daily summary, built on the
in-process simulator exactly as the counter builds them (memory only; this script writes
the PNG previews for the documentation, nothing else).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.case_reasons import CaseReason  # noqa: E402
from app.domain.nik import parse_nik  # noqa: E402
from app.services.cases import Decision, NikSource  # noqa: E402
from app.services.demo import build_demo  # noqa: E402
from app.services.documents.return_slip import render_return_slip_for  # noqa: E402
from app.services.documents.statement import render_statement  # noqa: E402


def to_png(pdf: bytes, name: str, work: Path) -> None:
    source = work / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", str(source), str(ROOT / "docs" / name)],
        check=True,
    )
    source.unlink()
    print(f"docs/{name}.png")


def main() -> None:
    now = [datetime(2026, 11, 23, 9, 0)]

    def clock() -> datetime:
        now[0] += timedelta(seconds=45)
        return now[0]

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        world = build_demo(work / "data", clock=clock)
        services = world.services
        assert world.simulator is not None
        examples = world.simulator.population.examples()
        officer = services.officers.authenticate("petugas", "demo1234")
        supervisor = services.officers.authenticate("supervisor", "demo1234")
        cases = services.cases
        case = cases.open_case(officer, "PKH", "Pendaftaran PKH")
        cases.check_documents(case, officer, {"KTP-el": True, "KK": True})
        cases.look_up(case, officer, examples["found"], NikSource.CARD)
        cases.decide(case, officer, Decision.APPROVE)
        cases.issue(case, officer)
        statement = render_statement(case, services.core.settings, officer.display_name, clock())
        to_png(statement, "document-statement", work)
        cases.hand_over(case, officer)
        cases.close(case, officer)
        returned = cases.open_case(officer, "BPNT", "Pendaftaran BPNT")
        cases.check_documents(returned, officer, {"KTP-el": True, "KK": False})
        cases.look_up(returned, officer, examples["not_found"], NikSource.TYPED)
        cases.decide(
            returned,
            officer,
            Decision.RETURN,
            "Bawa Kartu Keluarga terbaru",
            reasons=[CaseReason.DOCUMENTS_INCOMPLETE, CaseReason.KK_DIFFERS],
        )
        slip = render_return_slip_for(
            returned, services.core.settings, officer.display_name, clock()
        )
        to_png(slip, "document-return-slip", work)
        to_png(services.report("daily", clock().date(), supervisor), "document-daily-report", work)
        assert parse_nik(examples["found"])  # the example NIK really is a valid one
        services.core.close()


if __name__ == "__main__":
    main()
