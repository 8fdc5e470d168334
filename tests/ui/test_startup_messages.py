"""Issue 11: the GUI shows a dialog (what to do), never a traceback; crashes leave a record."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.keys import KeyRing
from app.services.secrets import GATEWAY_PASSWORD, GATEWAY_USER, KeyringSecretStore
from app.services.simulator.certs import make_self_signed

ADMIN = """
mode = "production"
counter_id = "LOKET-9"
{extra}
[agency]
id_lembaga = "330301"
name = "Dinas Contoh"
[agreement]
{agreement}
start = 2025-01-01
end = 2030-09-16
"""
PORTAL = 'access_method = "web_portal"\nportal_url = "https://portal.example.invalid/"'


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Dialogs captured; the crash handlers run_gui installs are removed afterwards."""
    import threading

    from PySide6.QtCore import qInstallMessageHandler

    shown: list[str] = []
    monkeypatch.setattr(
        "app.ui.main.QMessageBox.critical", lambda _parent, _title, text: shown.append(text)
    )

    def key_problem_shown(dialog: object) -> int:  # a modal dialog must never hang a test
        shown.append(f"key problem: {getattr(dialog, 'problem', '')}")
        return 0  # QDialog.Rejected

    monkeypatch.setattr("app.ui.main.KeyProblemDialog.exec", key_problem_shown)
    saved, saved_thread_hook = sys.excepthook, threading.excepthook
    yield shown
    sys.excepthook, threading.excepthook = saved, saved_thread_hook
    qInstallMessageHandler(None)


def configure(root: Path, extra: str = "", agreement: str = PORTAL, tail: str = "") -> None:
    admin = root / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True, exist_ok=True)
    admin.write_text(ADMIN.format(extra=extra, agreement=agreement) + tail, encoding="utf-8")


def test_an_unusable_database_url_is_a_dialog(
    isolated_environment: Path, dialogs: list[str], qapp: object
) -> None:
    from app.ui.main import run_gui

    configure(isolated_environment, 'database_url = "postgresql://loket@127.0.0.1:1/loket"')
    KeyRing.generate().save(KeyringSecretStore())  # the keys are there; the database is not
    assert run_gui("production") == 2
    assert len(dialogs) == 1 and "database_url" in dialogs[0]
    from PySide6.QtWidgets import QApplication

    from app.ui.ui_thread_gc import UiThreadCollector

    # the start's collector ended with it (only the suite's own, a parentless one, runs on)
    started = QApplication.instance().findChildren(UiThreadCollector)  # type: ignore[union-attr]
    assert started and not any(collector.running for collector in started)


def test_a_certificate_that_does_not_match_its_pin_is_a_dialog(
    isolated_environment: Path, dialogs: list[str], qapp: object
) -> None:
    from app.ui.main import run_gui

    pem = isolated_environment / "admin" / "gateway.pem"
    pem.parent.mkdir(parents=True, exist_ok=True)
    pem.write_text(make_self_signed("Gateway Contoh").cert_pem, encoding="ascii")
    store = KeyringSecretStore()
    store.set(GATEWAY_USER, "user")
    store.set(GATEWAY_PASSWORD, "rahasia")
    configure(
        isolated_environment,
        agreement='access_method = "web_service"\npoc_letter_number = "PoC/1"\n'
        "poc_letter_date = 2026-03-02",
        tail=f'[gateway]\nbase_url = "https://192.0.2.10:8000"\nconsumer_id = "C"\n'
        f'certificate_file = "{pem}"\ncertificate_sha256 = "{"ab" * 32}"\n',
    )
    from app.cli import main

    assert main(["keys", "init"]) == 0  # the counter's keys exist: the start reaches the pin
    assert run_gui("production") == 2
    assert len(dialogs) == 1 and "does not match" in dialogs[0]
    assert "certificate_sha256" in dialogs[0]  # what to do


def test_the_excepthook_writes_a_crash_record_and_shows_its_reference(
    isolated_environment: Path, dialogs: list[str], qapp: object
) -> None:
    from app.ui.main import install_crash_handlers

    install_crash_handlers()
    try:
        raise ValueError("WARGA CONTOH JAKE 3303 0145 0590 0001")
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    [record] = list((isolated_environment / "logs").glob("crash-*.txt"))
    reference = record.stem.removeprefix("crash-")
    assert len(dialogs) == 1 and reference in dialogs[0]
    written = record.read_text(encoding="utf-8")
    assert "ValueError" in written and "WARGA" not in written and "0145" not in written


def test_a_critical_toolkit_message_leaves_a_masked_record(
    isolated_environment: Path, dialogs: list[str], qapp: object
) -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType

    from app.ui.main import qt_message_handler

    qt_message_handler(QtMsgType.QtCriticalMsg, QMessageLogContext(), "gagal 3303014505900001")
    [record] = list((isolated_environment / "logs").glob("crash-*.txt"))
    written = record.read_text(encoding="utf-8")
    assert "3303••••••••0001" in written and "3303014505900001" not in written


def test_no_card_is_read_after_the_agreement_ended(qtbot: object, tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import date

    from app.services.cases.errors import AgreementEnded
    from app.services.settings import demo_settings
    from app.ui.reader_bridge import SimulatedReader
    from app.ui.workers import wait_for_all
    from tests.services.cases.conftest import make_world
    from tests.ui.conftest import open_window, sign_in, start_case

    settings = demo_settings()
    ended = replace(settings, agreement=replace(settings.agreement, end=date(2026, 11, 1)))
    world = make_world(tmp_path / "data", ended)
    reader = SimulatedReader(demo=True)
    window = open_window(qtbot, world, reader)  # type: ignore[arg-type]
    try:
        sign_in(qtbot, window)  # type: ignore[arg-type]
        screen = window.case_screen
        start_case(qtbot, screen)  # type: ignore[arg-type]
        reader.tap(world.examples()["found"], name="WARGA CONTOH")
        qtbot.waitUntil(  # type: ignore[attr-defined]
            lambda: AgreementEnded().message in screen.message.text(), timeout=10000
        )
        assert screen.card is None and screen.nik_page.nik.text() == ""
        assert screen.case is not None and not screen.case.data_accessed
    finally:
        window.close()
        wait_for_all(5000)
        world.services.core.close()


def test_a_production_start_quits_with_the_reader_stopped_and_the_window_gone(
    isolated_environment: Path,
    dialogs: list[str],
    qapp: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.cli import main
    from app.ui.app_window import AppWindow
    from app.ui.main import run_gui
    from app.ui.reader_bridge import SimulatedReader

    class Reader(SimulatedReader):
        stopped = 0

        def stop(self) -> None:
            Reader.stopped += 1
            super().stop()

    reader = Reader(demo=True)
    monkeypatch.setattr("app.ui.main.production_reader", lambda _settings, _secrets: reader)
    configure(isolated_environment)  # web-portal access: no gateway to reach
    assert main(["keys", "init"]) == 0
    assert run_gui("production", quit_after_ms=1000) == 0
    assert dialogs == []
    assert Reader.stopped == 1  # before the window that listened to it went
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, AppWindow)]
    assert windows == []  # deleted on the UI thread at quit, not left to the collector
    # no quit is left queued: handled later, it would end every event loop run after it
    QApplication.processEvents()
    loop, ran = QEventLoop(), []
    QTimer.singleShot(50, lambda: ran.append(True))
    QTimer.singleShot(100, loop.quit)
    assert loop.exec() == 0 and ran == [True]
