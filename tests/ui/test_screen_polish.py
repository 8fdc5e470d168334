"""Small layout and language details seen on the documentation screenshots."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.ui.i18n import apply_language


@pytest.fixture
def indonesian(qapp: object) -> Iterator[None]:
    apply_language("id")
    yield
    apply_language("id")


def test_status_bar_busy_text_follows_a_language_switch(qtbot: QtBot, indonesian: None) -> None:
    from app.ui.status_bar import CounterStatusBar

    bar = CounterStatusBar()
    qtbot.addWidget(bar)
    apply_language("en")  # switched on the sign-in screen after the window was built
    bar.set_loading(True)
    assert bar.loading.text() == "Working…"
    apply_language("id")
    bar.set_loading(True)
    assert bar.loading.text() == "Sedang diproses…"


def test_decision_reasons_show_six_whole_rows(qtbot: QtBot, indonesian: None) -> None:
    from app.ui.case.verification import VerificationPage

    page = VerificationPage()
    qtbot.addWidget(page)
    reasons = page.reasons
    inner = reasons.height() - 2 * reasons.frameWidth()
    rows = [reasons.sizeHintForRow(row) for row in range(reasons.count())]
    assert reasons.count() > 6
    assert inner == sum(rows[:6])  # six rows, none cut in half; the rest scrolls
