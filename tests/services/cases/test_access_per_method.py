"""The case service refuses a check the agreement does not grant by that channel (issue 15)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.outcomes import OutcomeKind
from app.services.cases import NikSource, NotPermittedByAgreement, WrongAccessMethod
from app.services.cases.errors import ChannelNotGranted
from app.services.persistence.models import AuditRecord
from app.services.settings import settings_from_dicts
from tests.services.cases.conftest import World, make_world


def settings_for(profile: str, access_method: str) -> object:
    return settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {
                "profile": profile,
                "access_method": access_method,
                "portal_url": "https://portal.example.invalid/",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
        }
    )


def opened(w: World):  # type: ignore[no-untyped-def]
    cases = w.services.cases
    case = cases.open_case(w.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, w.officer, {})
    return case


def refusals(w: World) -> list[str]:
    with w.services.core.sessions() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.action == "lookup.refused"))
        return [str(row.detail) for row in rows]


@pytest.mark.parametrize("install", ["web_service", "web_portal"])
def test_magelang_verifies_by_web_service_and_looks_up_by_portal(
    tmp_path: Path, install: str
) -> None:
    w = make_world(tmp_path / "d", settings_for("magelang-9", install))  # type: ignore[arg-type]
    cases = w.services.cases
    assert (cases.grants.lookup, cases.grants.verify) == ("web_portal", "web_service")
    case = opened(w)
    nik = w.examples()["found"]
    with pytest.raises(ChannelNotGranted):  # lookup by NIK through the web service: not granted
        cases.look_up(case, w.officer, nik, NikSource.TYPED)
    assert w.services.status().quota.used == 0
    assert w.simulator.hits_today() == 0
    view = cases.look_up(
        case, w.officer, nik, NikSource.TYPED, verify_elements={"NAMA_LGKP": "WARGA CONTOH"}
    )
    assert view.verdicts is not None and view.record is None
    assert w.simulator.hits_today() == 1
    w.clock.advance(30)
    portal = cases.record_portal_outcome(
        case, w.officer, nik, NikSource.TYPED, OutcomeKind.FOUND, documents_match=True
    )
    assert portal.via_portal
    assert w.simulator.hits_today() == 1  # the portal check never calls the gateway
    assert any("ChannelNotGranted" in detail for detail in refusals(w))
    w.services.core.close()


def test_a_portal_lookup_agreement_refuses_the_web_service_and_verify(tmp_path: Path) -> None:
    w = make_world(tmp_path / "d", settings_for("serdang-bedagai-5", "web_portal"))  # type: ignore[arg-type]
    cases = w.services.cases
    case = opened(w)
    nik = "3303015505900001"
    with pytest.raises(WrongAccessMethod):
        cases.look_up(case, w.officer, nik, NikSource.TYPED)
    with pytest.raises(NotPermittedByAgreement):  # seed 003 grants no verify by element
        cases.look_up(case, w.officer, nik, NikSource.TYPED, verify_elements={"NIK": nik})
    with pytest.raises(NotPermittedByAgreement):
        cases.record_portal_outcome(
            case, w.officer, nik, NikSource.TYPED, OutcomeKind.FOUND, True, method="verify"
        )
    assert w.services.status().quota.used == 0
    view = cases.record_portal_outcome(
        case, w.officer, nik, NikSource.TYPED, OutcomeKind.FOUND, True
    )
    assert view.via_portal and w.services.status().quota.used == 1
    w.services.core.close()


def test_a_verify_only_agreement_refuses_the_portal(tmp_path: Path) -> None:
    w = make_world(tmp_path / "d", settings_for("verify-only", "web_service"))  # type: ignore[arg-type]
    cases = w.services.cases
    case = opened(w)
    with pytest.raises(NotPermittedByAgreement):
        cases.record_portal_outcome(
            case, w.officer, w.examples()["found"], NikSource.TYPED, OutcomeKind.FOUND, True
        )
    assert w.services.status().quota.used == 0
    w.services.core.close()


def test_the_refusal_reads_in_indonesian() -> None:
    from app.services.translations import official_language

    with official_language():
        text = ChannelNotGranted("lookup via web_portal").message
    assert text.startswith("Perjanjian kerja sama memberikan pemeriksaan ini hanya melalui")


# Seed agreements as written (../shared/seeds), on an install before the PoC (web portal):
# which check is served, by which channel, and which is refused.
SEEDS = [
    ("000", "purbalingga-8", True, False),  # Pasal 2 (1) a: by NIK, web portal; no verify
    ("001", "karanganyar-9", True, False),  # Pasal 2 (2) d: Web Portal (call NIK)
    ("002", "magelang-9", True, True),  # Pasal 2 (1) a verify web service; (1) b NIK, portal
    ("003", "serdang-bedagai-5", True, False),  # Pasal 2 (1) a, Pasal 3 (2) a: web portal
    ("004", "bandung-9", True, False),  # Juknis C.1-2: "saat ini" Web Portal
]


@pytest.mark.parametrize(("seed", "profile", "portal_lookup", "ws_verify"), SEEDS)
def test_each_seed_agreement_is_served_as_granted_on_the_simulator(
    tmp_path: Path, seed: str, profile: str, portal_lookup: bool, ws_verify: bool
) -> None:
    w = make_world(tmp_path / seed, settings_for(profile, "web_portal"))  # type: ignore[arg-type]
    cases = w.services.cases
    # a portal-only install has no simulator (nothing calls a gateway): a synthetic NIK
    nik = w.examples()["found"] if w.demo.simulator is not None else "3303015505900001"
    assert (w.demo.simulator is not None) is ws_verify
    case = opened(w)
    with pytest.raises(WrongAccessMethod):  # no seed grants the lookup by web service yet
        cases.look_up(case, w.officer, nik, NikSource.TYPED)
    if ws_verify:
        view = cases.look_up(
            case, w.officer, nik, NikSource.TYPED, verify_elements={"NAMA_LGKP": "WARGA CONTOH"}
        )
        assert view.verdicts is not None and w.simulator.hits_today() == 1
        w.clock.advance(30)
    else:
        with pytest.raises(NotPermittedByAgreement):
            cases.look_up(case, w.officer, nik, NikSource.TYPED, verify_elements={"NAMA_LGKP": "X"})
    assert portal_lookup
    view = cases.record_portal_outcome(
        case, w.officer, nik, NikSource.TYPED, OutcomeKind.FOUND, True
    )
    assert view.via_portal
    hits = 1 if ws_verify else 0
    assert w.services.status().quota.used == hits + 1
    if w.demo.simulator is not None:
        assert w.simulator.hits_today() == hits  # the portal check never calls the gateway
    w.services.core.close()
