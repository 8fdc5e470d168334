"""Issue 11: card reads obey the agreement's term like lookups; a renewal request extends it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.nik import parse_nik
from app.services.cases import NikSource
from app.services.cases.errors import AgreementEnded
from app.services.settings import demo_settings
from tests.services.cases.conftest import FakeClock, make_world


def after_the_end(tmp_path: Path, **renewal: object):  # type: ignore[no-untyped-def]
    settings = demo_settings()
    agreement = replace(settings.agreement, end=date(2026, 11, 1), **renewal)
    clock = FakeClock(datetime(2026, 11, 23, 8, 0))
    return make_world(tmp_path / "data", replace(settings, agreement=agreement), clock)


def test_a_card_read_after_the_end_is_refused(tmp_path: Path) -> None:
    world = after_the_end(tmp_path)
    try:
        cases = world.services.cases
        case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
        nik = parse_nik(world.examples()["found"], today=date(2026, 11, 23))
        with pytest.raises(AgreementEnded):
            cases.may_read_card(world.officer)
        with pytest.raises(AgreementEnded):
            cases.record_card_read(case, world.officer, nik, demographic=True)
        assert case.nik is None and not case.data_accessed
    finally:
        world.services.core.close()


def test_a_renewal_request_keeps_the_counter_serving_until_its_limit(tmp_path: Path) -> None:
    world = after_the_end(
        tmp_path,
        renewal_letter_number="470/1120",
        renewal_letter_date=date(2026, 9, 1),
        renewal_limit=date(2026, 12, 31),
    )
    try:
        cases = world.services.cases
        case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
        nik_text = world.examples()["found"]
        cases.record_card_read(
            case, world.officer, parse_nik(nik_text, today=date(2026, 11, 23)), demographic=False
        )
        cases.check_documents(case, world.officer, {"kk": True})
        assert cases.look_up(case, world.officer, nik_text, NikSource.CARD).record is not None
        status = world.services.status()
        assert status.renewal_letter == "470/1120, 01-09-2026"
        world.clock.now = datetime(2027, 1, 1, 8, 0)
        other = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
        with pytest.raises(AgreementEnded):
            cases.look_up(other, world.officer, nik_text, NikSource.TYPED)
    finally:
        world.services.core.close()
