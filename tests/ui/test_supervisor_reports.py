"""The supervisor's reports screen: a period report counted off the UI thread, the figures
saved as CSV, the due reminder on the screen until the submission is recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from app.ui.app_window import AppWindow
from tests.services.cases.conftest import World
from tests.ui.conftest import refreshed, settled, sign_in


def test_period_report_export_and_submission(
    qtbot: QtBot, window: AppWindow, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, "petugas")
    assert not window.period_report_action.isEnabled()
    window.sign_out()
    sign_in(qtbot, window, "supervisor")
    refreshed(qtbot, window)
    # 23-11-2026: the first semester's report (due 30-06-2026) is overdue and unrecorded
    assert "01-01-2026 – 30-06-2026" in window.banner.text()
    window.period_report_action.trigger()
    dialog = window.supervisor_dialog
    qtbot.waitUntil(lambda: dialog.list_task is None, timeout=10000)
    assert dialog.reminder.isVisibleTo(dialog)
    assert "01-01-2026 – 30-06-2026" in dialog.reminder.text()
    dialog.start.setDate(QDate(2026, 1, 1))
    dialog.end.setDate(QDate(2026, 6, 30))
    dialog.pdf_button.click()
    preview = dialog.report_dialog
    assert preview is not None
    qtbot.waitUntil(lambda: preview.preview.loaded, timeout=20000)
    preview.reject()
    target = tmp_path / "angka.csv"
    monkeypatch.setattr(dialog, "ask_save_path", lambda suggested, pattern: str(target))
    dialog.csv_button.click()
    qtbot.waitUntil(lambda: target.exists() and dialog.task is None, timeout=20000)
    assert "summary,hits," in target.read_text(encoding="utf-8-sig")
    dialog.submitted_on.setDate(QDate(2026, 6, 29))
    dialog.channel.setCurrentIndex(dialog.channel.findData("online"))
    dialog.reference.setText("Tanda terima 2026/06/0042")
    dialog.submit_button.click()
    settled(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 3).text() == "Tanda terima 2026/06/0042"
    assert not dialog.reminder.isVisibleTo(dialog)
    submissions = world.services.reports.submissions()
    assert [(s.period_start, s.channel) for s in submissions] == [(date(2026, 1, 1), "online")]
    dialog.reject()
    refreshed(qtbot, window)
    assert "01-01-2026 – 30-06-2026" not in window.banner.text()


def test_diagnostics_screen_for_administrators(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    from app.services.doctor import Status

    sign_in(qtbot, window, "supervisor")
    assert not window.diagnostics_action.isEnabled()
    window.sign_out()
    sign_in(qtbot, window, "admin")
    window.diagnostics_action.trigger()
    dialog = window.diagnostics_dialog
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    assert dialog.report is not None
    names = [dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())]
    # the lines are named in the officer's language, never by the doctor's internal codes
    assert names[:2] == ["Versi", "Pengaturan administrator"]
    assert "Basis data" in names and "Perjanjian kerja sama (PKS)" in names
    assert "Pembaca kartu" in names
    assert not {"versions", "admin_file", "database", "agreement", "reader"} & set(names)
    lines = {check.name: check for check in dialog.report.checks}
    assert lines["database"].status is Status.OK
    cells = " ".join(
        dialog.table.item(row, column).text()
        for row in range(dialog.table.rowCount())
        for column in range(4)
    )
    for value in world.services.core.secrets._values.values():
        assert value not in cells
    dialog.reject()


def test_diagnostics_line_names_with_a_part() -> None:
    from app.ui.diagnostics import check_label
    from app.ui.i18n import apply_language

    apply_language("id")
    assert check_label("gateway.clock") == "Gateway Dukcapil — jam"
    assert check_label("balikan.certificate") == "Data balikan — sertifikat"
    assert check_label("something_new") == "something_new"


def test_incident_screen_records_counts_down_and_drafts_the_notice(
    qtbot: QtBot, window: AppWindow, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from PySide6.QtCore import QDateTime

    sign_in(qtbot, window, "supervisor")
    window.incidents_action.trigger()
    dialog = window.incidents_dialog
    settled(qtbot, dialog)
    discovered = world.clock() - timedelta(hours=2)
    when = QDateTime.fromString(discovered.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm")
    dialog.summary.setPlainText("Layar loket terfoto pengunjung")
    dialog.discovered.setDateTime(when)
    dialog.occurred_from.setDateTime(when.addSecs(-3600))
    dialog.occurred_to.setDateTime(when)
    dialog.record_button.click()
    settled(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 4).text() == "sisa 70 jam 0 menit untuk pemberitahuan"
    dialog.notice_button.click()
    preview = dialog.report_dialog
    assert preview is not None
    qtbot.waitUntil(lambda: preview.preview.loaded, timeout=20000)
    preview.reject()
    dialog.notified_button.click()
    settled(qtbot, dialog)
    assert dialog.table.item(0, 4).text().startswith("pemberitahuan dikirim")
    warnings: list[object] = []
    monkeypatch.setattr("app.ui.incidents.QMessageBox.warning", lambda *a: warnings.append(a))
    dialog.summary.setPlainText("NIK 3303010101010001 terlihat")
    dialog.record_button.click()
    settled(qtbot, dialog)
    assert len(warnings) == 1 and dialog.table.rowCount() == 1
    dialog.reject()
