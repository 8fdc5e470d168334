"""Verify by element in the core: nothing to compare is refused; one mismatch blocks issuing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.domain.outcomes import OutcomeKind
from app.services.cases import LookupView, NikSource, VerifyElementsMissing
from app.services.cases.compare import compare_elements, profile_of
from app.services.settings import settings_from_dicts
from tests.services.cases.conftest import make_world


def view(kind: OutcomeKind, verdicts: dict[str, tuple[bool, int]] | None) -> LookupView:
    return LookupView(kind, None, None, "", None, verdicts, None)


def test_an_answer_confirms_only_when_every_element_matches() -> None:
    assert view(OutcomeKind.VERIFIED, {"NAMA_LGKP": (True, 100)}).confirms
    mixed = view(OutcomeKind.VERIFIED, {"NAMA_LGKP": (True, 100), "TMPT_LHR": (False, 40)})
    assert not mixed.confirms and mixed.mismatches == ["TMPT_LHR"]
    assert view(OutcomeKind.FOUND, None).confirms
    assert not view(OutcomeKind.DUPLICATE, None).confirms


def test_rows_show_what_the_documents_say_and_the_verdict_without_a_record() -> None:
    rows = compare_elements(
        profile_of("verify-only"),
        None,
        verdicts={"NAMA_LGKP": (True, 100), "TMPT_LHR": (False, 40)},
        documents={"NAMA_LGKP": "SITI CONTOH", "TMPT_LHR": "KOTA LAIN"},
    )
    by_id = {row.element_id: row for row in rows}
    assert set(by_id) == {"nama_lengkap", "tempat_lahir"}
    assert by_id["nama_lengkap"].card == "SITI CONTOH" and by_id["nama_lengkap"].registry is None
    assert by_id["tempat_lahir"].verdict == (False, 40) and by_id["tempat_lahir"].match is False


def test_verify_without_any_element_is_refused_before_a_hit(tmp_path: Path) -> None:
    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {
                "profile": "verify-only",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
        }
    )
    w = make_world(tmp_path / "d", settings)
    cases = w.services.cases
    case = cases.open_case(w.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, w.officer, {})
    with pytest.raises(VerifyElementsMissing):
        cases.look_up(
            case, w.officer, w.examples()["found"], NikSource.TYPED, verify_elements={"X": " "}
        )
    assert w.services.status().quota.used == 0 and w.simulator.hits_today() == 0
    w.services.core.close()
