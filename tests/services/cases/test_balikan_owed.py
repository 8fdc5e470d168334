"""Data balikan owed for every "Data Ditemukan" answer and every demographic card read, with a
note from the fixed list; the agreement's fields checked at the decision and hand-over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.domain.i18n import install_translator
from app.domain.nik import parse_nik
from app.domain.outcomes import OutcomeKind
from app.services.balikan.fields import FieldsInvalid
from app.services.cases import Decision, NikNotAllowedHere, NikSource
from app.services.persistence.models import BalikanItem
from app.services.settings import settings_from_dicts
from app.services.translations import install_language
from tests.services.cases.conftest import World, make_world


def _settings(profile: str, access_method: str = "web_service") -> Any:
    agreement: dict[str, object] = {
        "profile": profile,
        "access_method": access_method,
        "start": date(2025, 1, 1),
        "end": date(2027, 9, 16),
    }
    if access_method == "web_portal":
        agreement["portal_url"] = "https://portal.example.invalid/"
    return settings_from_dicts(
        {
            "mode": "demo",
            "agency": {"id_lembaga": "330301", "name": "Dinas Contoh"},
            "agreement": agreement,
        }
    )


@pytest.fixture
def made(tmp_path: Path) -> Iterator[list[World]]:
    worlds: list[World] = []
    yield worlds
    for world in worlds:
        world.services.core.close()


def _world(made: list[World], tmp_path: Path, profile: str, access: str = "web_service") -> World:
    world = make_world(tmp_path / f"d{len(made)}", _settings(profile, access))
    made.append(world)
    return world


def _items(world: World) -> list[BalikanItem]:
    with world.services.core.sessions() as session:
        return list(session.execute(select(BalikanItem).order_by(BalikanItem.id)).scalars())


def _param(item: BalikanItem) -> dict[str, str]:
    entry = json.loads(item.params)[0]
    assert isinstance(entry, dict)
    return entry


def _start(world: World) -> Any:
    case = world.services.cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    world.services.cases.check_documents(case, world.officer, {"KTP-el": True})
    return case


@pytest.mark.parametrize(
    ("kind", "note"),
    [("deceased", "MENINGGAL"), ("duplicate", "DATA GANDA"), ("inactive", "TIDAK AKTIF")],
)
def test_unusable_data_ditemukan_answer_owes_with_its_note_even_when_cancelled(
    made: list[World], tmp_path: Path, kind: str, note: str
) -> None:
    world = _world(made, tmp_path, "purbalingga-8")
    cases = world.services.cases
    case = _start(world)
    cases.look_up(case, world.officer, world.examples()[kind], NikSource.TYPED)
    cases.cancel(case, world.officer, "pemohon pergi")
    (item,) = _items(world)
    assert item.status == "pending"
    assert _param(item) == {"KETERANGAN": note, "JENIS_PROGRAM": "PKH"}


def test_no_data_ditemukan_owes_nothing(made: list[World], tmp_path: Path) -> None:
    world = _world(made, tmp_path, "purbalingga-8")
    cases = world.services.cases
    case = _start(world)
    cases.look_up(case, world.officer, world.examples()["not_found"], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.REFUSE)
    cases.close(case, world.officer)
    assert _items(world) == []


@pytest.mark.parametrize(
    ("kind", "note"),
    [
        (OutcomeKind.DECEASED, "MENINGGAL"),
        (OutcomeKind.DUPLICATE, "DATA GANDA"),
        (OutcomeKind.INACTIVE, "TIDAK AKTIF"),
    ],
)
def test_portal_answer_recorded_by_the_officer_owes_too(
    made: list[World], tmp_path: Path, kind: OutcomeKind, note: str
) -> None:
    world = _world(made, tmp_path, "purbalingga-8", "web_portal")
    cases = world.services.cases
    case = _start(world)
    cases.record_portal_outcome(
        case, world.officer, "3303015505900001", NikSource.TYPED, kind, documents_match=True
    )
    cases.decide(case, world.officer, Decision.REFUSE)
    cases.close(case, world.officer)
    (item,) = _items(world)
    assert _param(item)["KETERANGAN"] == note


@pytest.mark.parametrize("kind", [OutcomeKind.NOT_FOUND, OutcomeKind.INVALID_FORMAT])
def test_portal_not_found_owes_nothing(
    made: list[World], tmp_path: Path, kind: OutcomeKind
) -> None:
    world = _world(made, tmp_path, "purbalingga-8", "web_portal")
    cases = world.services.cases
    case = _start(world)
    cases.record_portal_outcome(
        case,
        world.officer,
        "3303015505900001",
        NikSource.TYPED,
        kind,
        documents_match=True,
    )
    cases.cancel(case, world.officer, "batal")
    assert _items(world) == []


def test_verify_answer_and_card_read_owe_with_the_decision_note(
    made: list[World], tmp_path: Path
) -> None:
    world = _world(made, tmp_path, "verify-only")
    cases = world.services.cases
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    case = _start(world)
    cases.look_up(case, world.officer, nik, NikSource.TYPED, verify_elements={"NAMA_LGKP": "X Y"})
    cases.decide(case, world.officer, Decision.REFUSE)
    cases.close(case, world.officer)
    card_case = _start(world)
    cases.record_card_read(card_case, world.officer, parse_nik(nik), demographic=True)
    cases.cancel(card_case, world.officer, "pemohon pergi")
    refused, cancelled = _items(world)
    assert _param(refused)["KETERANGAN"] == "DITOLAK"
    assert _param(cancelled)["KETERANGAN"] == "DIBATALKAN"


@pytest.fixture
def indonesian() -> Iterator[None]:
    install_language("id")
    yield
    install_translator("en", lambda m: m)


@pytest.mark.usefixtures("indonesian")
def test_fields_are_checked_at_the_decision_and_the_hand_over(
    made: list[World], tmp_path: Path
) -> None:
    # seed 003 (PKS Serdang Bedagai, Pasal 2 ayat (2) huruf b): PKH number, sembako number,
    # DTKS id; the profile requires the DTKS id
    world = _world(made, tmp_path, "serdang-bedagai-5")
    cases = world.services.cases
    case = _start(world)
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    with pytest.raises(FieldsInvalid) as missing:
        cases.decide(case, world.officer, Decision.APPROVE, balikan_fields={"nomor_pkh": "P-1"})
    assert missing.value.message == "ID DTKS wajib diisi."
    assert case.decision is None  # nothing was decided
    with pytest.raises(NikNotAllowedHere):
        cases.decide(
            case,
            world.officer,
            Decision.APPROVE,
            balikan_fields={"id_dtks": world.examples()["found"]},
        )
    cases.decide(
        case,
        world.officer,
        Decision.APPROVE,
        balikan_fields={"id_dtks": "DTKS-0042", "nomor_sembako": "SBK-7"},
        documents_match=True,  # a typed NIK: the officer confirms the documents
    )
    cases.issue(case, world.officer)
    cases.record_printed(case, world.officer)
    with pytest.raises(FieldsInvalid):
        cases.hand_over(case, world.officer, "REG-9", balikan_fields={"nomor_pkh": "P-1"})
    # without fields at the hand-over, the values given with the decision go
    cases.hand_over(case, world.officer, "REG-9")
    cases.close(case, world.officer)
    (item,) = _items(world)
    assert _param(item) == {
        "NO_PENERIMA": "REG-9",
        "JENIS_PROGRAM": "PKH",
        "ID_DTKS": "DTKS-0042",
        "NOMOR_SEMBAKO": "SBK-7",
    }
    assert [entry["name"] for entry in json.loads(item.fields)] == [
        "nomor_pkh",
        "nomor_sembako",
        "id_dtks",
    ]


def test_refusal_may_leave_required_fields_empty(made: list[World], tmp_path: Path) -> None:
    world = _world(made, tmp_path, "serdang-bedagai-5")
    cases = world.services.cases
    case = _start(world)
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.REFUSE, balikan_fields={"nomor_pkh": "PKH-3"})
    cases.close(case, world.officer)
    (item,) = _items(world)
    assert _param(item) == {"KETERANGAN": "DITOLAK", "JENIS_PROGRAM": "PKH", "NOMOR_PKH": "PKH-3"}


def test_interrupted_case_closed_later_sends_the_fields_given_with_the_decision(
    made: list[World], tmp_path: Path
) -> None:
    world = _world(made, tmp_path, "serdang-bedagai-5")
    cases = world.services.cases
    case = _start(world)
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    cases.decide(
        case,
        world.officer,
        Decision.APPROVE,
        balikan_fields={"id_dtks": "DTKS-2026-0042"},
        documents_match=True,
    )
    cases.issue(case, world.officer)
    cases.release(case)  # the counter crashed here: only the stored case is left
    cases.cancel_interrupted(world.supervisor, case.number, "")
    (item,) = _items(world)
    assert item.status == "pending"
    assert _param(item)["ID_DTKS"] == "DTKS-2026-0042"
