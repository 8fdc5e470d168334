"""The data balikan fields form: one line per profile field, checked as typed (Indonesian)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.domain.i18n import install_translator
from app.domain.resource_files import resources_dir
from app.services.dukcapil.profiles import load_profile
from app.services.translations import install_language
from app.ui.case.balikan_fields import BalikanFieldsForm


@pytest.fixture
def indonesian() -> Iterator[None]:
    install_language("id")
    yield
    install_translator("en", lambda m: m)


@pytest.mark.usefixtures("indonesian")
def test_karanganyar_form_checks_the_nop_as_typed(qtbot: QtBot) -> None:
    # seed 001 (PKS Karanganyar, Pasal 2 ayat (2) huruf b): NOP PBB-P2 and NPWPD, neither
    # required; a NOP is 18 digits
    form = BalikanFieldsForm(load_profile(resources_dir(), "karanganyar-9").balikan_fields)
    qtbot.addWidget(form)
    assert set(form.edits) == {"nop_pbb_p2", "npwpd"}
    assert form.is_valid() and form.values() == {"nop_pbb_p2": "", "npwpd": ""}
    with qtbot.waitSignal(form.validityChanged) as blocker:
        qtbot.keyClicks(form.edits["nop_pbb_p2"], "33030100")
    assert blocker.args == [False]
    error = form.findChild(QLabel, "balikanError_nop_pbb_p2")
    assert error is not None and not error.isHidden()
    assert error.text() == "NOP PBB-P2 tidak sesuai format yang ditetapkan perjanjian kerja sama."
    with qtbot.waitSignal(form.validityChanged) as blocker:
        qtbot.keyClicks(form.edits["nop_pbb_p2"], "0100200030")
    assert blocker.args == [True]
    assert error.isHidden()
    assert form.values() == {"nop_pbb_p2": "330301000100200030", "npwpd": ""}


@pytest.mark.usefixtures("indonesian")
def test_required_field_is_asked_for_and_may_stay_empty_on_a_refusal(qtbot: QtBot) -> None:
    # seed 002 (PKS Magelang, Pasal 2 ayat (2) huruf b): the complaint registration number
    form = BalikanFieldsForm(load_profile(resources_dir(), "magelang-9").balikan_fields)
    qtbot.addWidget(form)
    assert not form.is_valid()
    assert form.problems() == {
        "nomor_registrasi_pengaduan": "Nomor registrasi pengaduan wajib diisi."
    }
    assert not form.show_problems()
    error = form.findChild(QLabel, "balikanError_nomor_registrasi_pengaduan")
    assert error is not None and error.text() == "Nomor registrasi pengaduan wajib diisi."
    form.set_require(False)
    assert form.is_valid()
    form.set_require(True)
    qtbot.keyClicks(form.edits["nomor_registrasi_pengaduan"], "ADU-2026-0042")
    assert form.is_valid()
    assert form.values() == {"nomor_registrasi_pengaduan": "ADU-2026-0042"}
    form.clear()
    assert form.values() == {"nomor_registrasi_pengaduan": ""}


def test_profile_without_fields_gives_an_empty_valid_form(qtbot: QtBot) -> None:
    form = BalikanFieldsForm(load_profile(resources_dir(), "verify-only").balikan_fields)
    qtbot.addWidget(form)
    assert form.edits == {} and form.values() == {} and form.is_valid()
