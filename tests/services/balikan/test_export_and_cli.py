"""File export (CSV/XLSX), supervisor confirmation, the CLI, and the case flow end to end."""

from __future__ import annotations

import csv
import io
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.domain.i18n import install_translator
from app.services.balikan.cli import run_balikan_cli
from app.services.balikan.export import ExportError
from app.services.balikan.outbox import DELIVERED, EXPORTED
from app.services.balikan.service import BalikanService
from app.services.cases.service import Decision, NikSource
from app.services.demo import DEMO_PASSWORD, DemoWorld, build_demo
from app.services.persistence.models import BalikanItem
from app.services.simulator import build_population
from tests.services.balikan.conftest import synthetic_nik


@pytest.fixture
def world(tmp_path: Path) -> Iterator[DemoWorld]:
    demo = build_demo(tmp_path / "data")
    install_translator("en", lambda message: message)  # the demo installed Indonesian
    yield demo
    assert demo.services.balikan is not None
    demo.services.balikan.stop()
    demo.services.core.close()


def balikan(world: DemoWorld) -> BalikanService:
    assert world.services.balikan is not None
    return world.services.balikan


def serve_one(world: DemoWorld, nik: str, refuse: bool = False) -> str:
    """One applicant served through the case flow (one FOUND lookup)."""
    services = world.services
    officer = services.officers.authenticate("petugas", DEMO_PASSWORD)
    cases = services.cases
    case = cases.open_case(officer, "PKH", "pendaftaran bantuan")
    cases.check_documents(case, officer, {"ktp": True})
    cases.look_up(case, officer, nik, NikSource.TYPED)
    if refuse:
        cases.decide(case, officer, Decision.REFUSE, "tidak memenuhi syarat")
    else:
        cases.decide(case, officer, Decision.APPROVE, documents_match=True)
        cases.issue(case, officer, "SK-001/2026")
        cases.record_printed(case, officer)
        cases.hand_over(case, officer, "SK-001/2026")
    cases.close(case, officer)
    return case.number


def queue(world: DemoWorld, count: int) -> list[str]:
    """Items queued straight into the outbox (no gateway hits)."""
    services = world.services
    from app.services.balikan.outbox import BalikanParams

    niks = []
    with services.core.sessions.begin() as session:
        for index in range(count):
            nik = synthetic_nik(index)
            services.outbox.enqueue(
                session, f"X-{index}", nik, BalikanParams("PKH", number=f"R{index}")
            )
            niks.append(nik)
    return niks


def cli(world: DemoWorld, *argv: str, password: str = DEMO_PASSWORD) -> tuple[int, str]:
    out = io.StringIO()
    code = run_balikan_cli(
        list(argv),
        balikan(world),
        world.services.officers,
        ask_password=lambda _p: password,
        out=out,
    )
    return code, out.getvalue()


def test_served_case_is_owed_then_delivered_once(world: DemoWorld) -> None:
    nik = build_population().examples()["found"]
    number = serve_one(world, nik)
    assert world.services.status().balikan_pending == 1
    assert world.services.link is not None and world.services.link.lookups_total == 1
    report = balikan(world).send_once()
    assert report.delivered == 1
    assert world.simulator is not None
    [delivery] = world.simulator.balikan
    assert delivery.nik == nik and delivery.id_lembaga == "330301"
    assert delivery.params == ({"JENIS_PROGRAM": "PKH", "NO_PENERIMA": "SK-001/2026"},)
    assert world.services.status().balikan_pending == 0
    with world.services.core.sessions() as session:
        item = session.execute(
            select(BalikanItem).where(BalikanItem.case_number == number)
        ).scalar_one()
    assert item.nik_ciphertext is None and item.status == DELIVERED


def test_refused_case_sends_a_note(world: DemoWorld) -> None:
    nik = build_population().examples()["found"]
    serve_one(world, nik, refuse=True)
    balikan(world).send_once()
    assert world.simulator is not None
    [delivery] = world.simulator.balikan
    assert delivery.params == ({"JENIS_PROGRAM": "PKH", "KETERANGAN": "DITOLAK"},)


def test_export_csv_confirm_and_reexport(world: DemoWorld, tmp_path: Path) -> None:
    niks = queue(world, 3)
    out = tmp_path / "balikan.csv"
    code, text = cli(world, "export", "--format", "csv", "--out", str(out), "--user", "supervisor")
    assert code == 0 and "3" in text
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["NIK", "NO_PENERIMA", "JENIS_PROGRAM", "KETERANGAN"]
    assert [r[0] for r in rows[1:]] == niks and rows[1][1:] == ["R0", "PKH", ""]
    # exported items stay encrypted and owed; the sender leaves them alone
    assert world.services.status().balikan_pending == 3
    assert balikan(world).send_once().requests == 0
    with world.services.core.sessions() as session:
        exported = list(session.execute(select(BalikanItem)).scalars())
    assert all(i.status == EXPORTED and i.nik_ciphertext is not None for i in exported)
    # re-export until confirmed (e.g. the first stick was lost)
    again = tmp_path / "again.xlsx"
    assert (
        cli(world, "export", "--format", "xlsx", "--out", str(again), "--user", "supervisor")[0]
        == 0
    )
    code, text = cli(world, "confirm", "--file", str(out), "--user", "supervisor")
    assert code == 0 and "3" in text
    assert world.services.status().balikan_pending == 0
    with world.services.core.sessions() as session:
        done = list(session.execute(select(BalikanItem)).scalars())
    assert all(i.status == DELIVERED and i.nik_ciphertext is None for i in done)
    assert {i.delivered_via for i in done} == {"export"}
    assert world.services.verify_audit() is None


def test_xlsx_keeps_the_nik_as_text(world: DemoWorld, tmp_path: Path) -> None:
    niks = queue(world, 2)
    out = tmp_path / "balikan.xlsx"
    result = balikan(world).export(out, "xlsx", "supervisor")
    assert result.count == 2
    sheet = load_workbook(out).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["NIK", "NO_PENERIMA", "JENIS_PROGRAM"]
    assert [row[0] for row in values[1:]] == niks  # strings, not 3.3E+15
    assert sheet["A2"].number_format == "@"


def test_confirm_needs_the_exact_file_and_a_supervisor(world: DemoWorld, tmp_path: Path) -> None:
    queue(world, 1)
    out = tmp_path / "b.csv"
    balikan(world).export(out, "csv", "supervisor")
    out.write_text(out.read_text(encoding="utf-8-sig") + "x\n", encoding="utf-8")
    code, _text = cli(world, "confirm", "--file", str(out), "--user", "supervisor")
    assert code == 1
    assert cli(world, "confirm", "--all-exported", "--user", "petugas")[0] == 1
    assert world.services.status().balikan_pending == 1
    code, _text = cli(world, "confirm", "--all-exported", "--user", "supervisor")
    assert code == 0 and world.services.status().balikan_pending == 0


def test_export_with_nothing_owed_says_so(world: DemoWorld, tmp_path: Path) -> None:
    with pytest.raises(ExportError) as info:
        balikan(world).export(tmp_path / "x.csv", "csv", "supervisor")
    assert "nothing is owed" in info.value.message
    assert not (tmp_path / "x.csv").exists()


def test_formula_in_a_note_is_neutralised(world: DemoWorld, tmp_path: Path) -> None:
    from app.services.balikan.outbox import BalikanParams

    services = world.services
    with services.core.sessions.begin() as session:
        services.outbox.enqueue(
            session, "X-F", synthetic_nik(9), BalikanParams("PKH", note="=HYPERLINK(1)")
        )
    out = tmp_path / "f.csv"
    balikan(world).export(out, "csv", "supervisor")
    assert "'=HYPERLINK(1)" in out.read_text(encoding="utf-8-sig")


def test_cli_status_send_params(world: DemoWorld) -> None:
    queue(world, 2)
    code, text = cli(world, "status")
    assert code == 0 and "Data balikan owed: 2" in text
    code, text = cli(world, "send", "--once")
    assert code == 0 and "Delivered 2" in text
    code, text = cli(world, "params")
    assert code == 0 and "NO_PENERIMA" in text
    assert "Delivered: 2" in cli(world, "status")[1]


def test_cli_wrong_password(world: DemoWorld, tmp_path: Path) -> None:
    queue(world, 1)
    code, _ = cli(
        world, "export", "--out", str(tmp_path / "x.xlsx"), "--user", "supervisor", password="no"
    )
    assert code == 1 and not (tmp_path / "x.xlsx").exists()


def test_background_sender_delivers_after_wake(world: DemoWorld) -> None:
    import time

    service = balikan(world)
    assert service.start_background(idle_seconds=5.0)
    queue(world, 2)
    service.wake()
    deadline = time.monotonic() + 5
    while world.services.status().balikan_pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert world.services.status().balikan_pending == 0
    assert service.status().sender_running
    service.stop()
    assert not service.status().sender_running


# ---------------------------------------------------------------- issue 11: safe --out
def test_export_never_overwrites_the_live_database(world: DemoWorld) -> None:
    queue(world, 2)
    database = Path(str(world.services.core.engine.url.database))
    before = database.read_bytes()
    for extra in ((), ("--force",)):
        code, _text = cli(
            world,
            "export",
            "--format",
            "csv",
            "--out",
            str(database),
            "--user",
            "supervisor",
            *extra,
        )
        assert code == 1
    assert database.read_bytes()[:16] == b"SQLite format 3\x00"
    assert len(database.read_bytes()) >= len(before) // 2
    with world.services.core.sessions() as session:  # the owed items are all still there
        assert len(list(session.execute(select(BalikanItem)).scalars())) == 2


def test_export_refuses_an_existing_file_and_a_symlink(world: DemoWorld, tmp_path: Path) -> None:
    queue(world, 1)
    existing = tmp_path / "mine.txt"
    existing.write_text("kept", encoding="utf-8")
    target = tmp_path / "target.txt"
    target.write_text("kept too", encoding="utf-8")
    link = tmp_path / "planted.csv"
    link.symlink_to(target)
    assert (
        cli(world, "export", "--format", "csv", "--out", str(existing), "--user", "supervisor")[0]
        == 1
    )
    assert existing.read_text(encoding="utf-8") == "kept"
    code, _text = cli(
        world, "export", "--format", "csv", "--out", str(link), "--user", "supervisor", "--force"
    )
    assert code == 1
    assert target.read_text(encoding="utf-8") == "kept too" and link.is_symlink()
    code, _text = cli(
        world,
        "export",
        "--format",
        "csv",
        "--out",
        str(existing),
        "--user",
        "supervisor",
        "--force",
    )
    assert code == 0 and existing.read_text(encoding="utf-8-sig").startswith("NIK")
