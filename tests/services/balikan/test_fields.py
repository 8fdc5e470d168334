"""Data balikan fields: validation, the item's snapshot, both body shapes, export, migration."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command as alembic_command
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.domain.i18n import install_translator
from app.services.audit import AuditTrail
from app.services.balikan.export import BalikanExporter, columns_of
from app.services.balikan.fields import FieldsInvalid, FieldValue, validate_fields
from app.services.balikan.outbox import BalikanParams, Outbox
from app.services.dukcapil.profiles import BalikanField
from app.services.persistence.db import _alembic_config, create_db_engine, upgrade_database
from app.services.simulator import GatewaySimulator
from app.services.translations import install_language
from tests.services.balikan.conftest import MakeSender, synthetic_nik

NOP = BalikanField("nop_pbb_p2", "NOP PBB-P2", False, "[0-9]{18}")
NPWPD = BalikanField("npwpd", "NPWPD", False, None)
DTKS = BalikanField("id_dtks", "ID DTKS", True, None)


@pytest.fixture
def indonesian() -> Iterator[None]:
    install_language("id")
    yield None
    install_translator("en", lambda m: m)


@pytest.mark.usefixtures("indonesian")
def test_required_and_format_are_checked_with_indonesian_messages() -> None:
    with pytest.raises(FieldsInvalid) as info:
        validate_fields((NOP, DTKS), {"nop_pbb_p2": "1234", "id_dtks": "  "})
    assert info.value.problems == {
        "nop_pbb_p2": "NOP PBB-P2 tidak sesuai format yang ditetapkan perjanjian kerja sama.",
        "id_dtks": "ID DTKS wajib diisi.",
    }
    with pytest.raises(FieldsInvalid) as unknown:
        validate_fields((NOP,), {"nomor_lain": "1"})
    assert unknown.value.problems == {
        "nomor_lain": "Perjanjian kerja sama tidak memuat isian data balikan nomor_lain."
    }


def test_valid_values_keep_the_profile_order_and_labels() -> None:
    filled = validate_fields((NOP, NPWPD, DTKS), {"id_dtks": " D-77 ", "npwpd": "P.1"})
    assert filled == (
        FieldValue("nop_pbb_p2", "NOP PBB-P2", ""),
        FieldValue("npwpd", "NPWPD", "P.1"),
        FieldValue("id_dtks", "ID DTKS", "D-77"),
    )
    # nothing issued: a required field may stay empty, a malformed value still may not
    assert validate_fields((DTKS,), {}, require=False) == (FieldValue("id_dtks", "ID DTKS", ""),)
    with pytest.raises(FieldsInvalid):
        validate_fields((NOP,), {"nop_pbb_p2": "12"}, require=False)


def _queue_with_fields(sessions: sessionmaker[Session], outbox: Outbox) -> None:
    with sessions.begin() as session:
        outbox.enqueue(
            session,
            "F-1",
            synthetic_nik(1),
            BalikanParams(
                "PBB-P2",
                number="REG-1",
                fields=(
                    FieldValue("nop_pbb_p2", "NOP PBB-P2", "330301000100200030"),
                    FieldValue("npwpd", "NPWPD", ""),
                ),
            ),
        )
        outbox.enqueue(session, "F-2", synthetic_nik(2), BalikanParams("PKH", number="REG-2"))
        outbox.hold(session, "F-3", synthetic_nik(3))
        outbox.set_fields(session, "F-3", (FieldValue("id_dtks", "ID DTKS (lama)", "DT-9"),))
        outbox.enqueue(session, "F-3", synthetic_nik(3), BalikanParams("PKH", note="DITOLAK"))


@pytest.mark.parametrize("shape", ["form", "batch"])
def test_both_body_shapes_carry_the_fields(
    sessions: sessionmaker[Session],
    outbox: Outbox,
    make_sender: MakeSender,
    sim: GatewaySimulator,
    shape: str,
) -> None:
    _queue_with_fields(sessions, outbox)
    report = make_sender(shape=shape).send_once()
    assert report.delivered == 3
    received = {d.nik: d.params[0] for d in sim.balikan}
    assert received[synthetic_nik(1)] == {
        "NO_PENERIMA": "REG-1",
        "JENIS_PROGRAM": "PBB-P2",
        "NOP_PBB_P2": "330301000100200030",  # the empty NPWPD is not sent
    }
    assert received[synthetic_nik(2)] == {"NO_PENERIMA": "REG-2", "JENIS_PROGRAM": "PKH"}
    # the value set on the held item at the decision went with it when it was queued
    assert received[synthetic_nik(3)] == {
        "KETERANGAN": "DITOLAK",
        "JENIS_PROGRAM": "PKH",
        "ID_DTKS": "DT-9",
    }
    assert {d.shape for d in sim.balikan} == {shape}


def test_export_has_one_column_per_field_over_all_items(
    sessions: sessionmaker[Session], outbox: Outbox, audit: AuditTrail, tmp_path: Path
) -> None:
    _queue_with_fields(sessions, outbox)
    # the current profile knows the NOP under a new label and no longer has id_dtks
    exporter = BalikanExporter(
        outbox,
        audit,
        "LOKET-T",
        columns_of("NO_PENERIMA", "JENIS_PROGRAM", "KETERANGAN"),
        field_labels={"nop_pbb_p2": "Nomor Objek Pajak"},
    )
    with sessions.begin() as session:
        exporter.export(session, tmp_path / "out.csv", "csv", "supervisor")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "NIK",
        "NO_PENERIMA",
        "JENIS_PROGRAM",
        "KETERANGAN",
        "Nomor Objek Pajak",
        "NPWPD",
        "ID DTKS (lama)",
    ]
    assert rows[1] == [synthetic_nik(1), "REG-1", "PBB-P2", "", "330301000100200030", "", ""]
    assert rows[2] == [synthetic_nik(2), "REG-2", "PKH", "", "", "", ""]
    assert rows[3] == [synthetic_nik(3), "", "PKH", "DITOLAK", "", "", "DT-9"]
    with sessions.begin() as session:
        exporter.export(session, tmp_path / "out.xlsx", "xlsx", "supervisor")
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][4:] == ["Nomor Objek Pajak", "NPWPD", "ID DTKS (lama)"]
    assert values[1][4] == "330301000100200030"  # text, not 3.3E+17
    assert values[3][6] == "DT-9"


def test_migration_fills_fields_of_old_items_from_their_number(tmp_path: Path) -> None:
    engine: Engine = create_db_engine(f"sqlite+pysqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_database(engine)
    with engine.begin() as connection:  # back to the schema before data balikan fields
        alembic_command.downgrade(_alembic_config(connection), "0005")
    with engine.begin() as connection:
        for number, (case, params) in enumerate(
            (
                ("OLD-1", [{"NO_PENERIMA": "REG-7", "JENIS_PROGRAM": "PKH"}]),
                ("OLD-2", [{"KETERANGAN": "DITOLAK", "JENIS_PROGRAM": "PKH"}]),
                ("OLD-3", []),
            )
        ):
            connection.execute(
                text(
                    "INSERT INTO balikan_items (case_number, nik_hash, id_lembaga, nama_lembaga,"
                    " params, status, attempts, created_at) VALUES (:c, :h, '330301', 'X', :p,"
                    " 'pending', 0, '2026-03-02 09:00:00')"
                ),
                {"c": case, "h": f"hash{number}", "p": json.dumps(params)},
            )
    upgrade_database(engine)
    with engine.connect() as connection:
        stored = dict(
            connection.execute(text("SELECT case_number, fields FROM balikan_items")).all()
        )
    engine.dispose()
    assert json.loads(stored["OLD-1"]) == [
        {"name": "nomor_penerima", "label": "Nomor penerima", "value": "REG-7"}
    ]
    assert json.loads(stored["OLD-2"]) == []  # a note is not a field
    assert json.loads(stored["OLD-3"]) == []
