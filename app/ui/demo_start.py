"""Demo start: the sign-in window is painted first, the demo is built behind it.

The demo's database (opened and migrated), simulator and officers are built on a worker thread
while a sign-in window with its button disabled says "Preparing the demo…". When the demo is
ready the counter's window takes its place (what was typed is kept); nobody can sign in before
that. A failure shows its message and the demo ends with status 2.

This module is imported before the first paint: it loads Qt and the sign-in form only.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget

from app.domain.i18n import _
from app.ui.login import LoginScreen
from app.ui.ui_thread_gc import collect_on_ui_thread

if TYPE_CHECKING:
    from app.services.demo import DemoWorld
    from app.services.officers import OfficerView
    from app.ui.app_window import AppWindow

log = logging.getLogger(__name__)


def _not_ready(_username: str, _password: str) -> OfficerView:
    raise RuntimeError("the demo is not ready")  # never reached: sign-in is disabled


class PreparingWindow(QMainWindow):
    """The demo's sign-in form, shown at once; signing in waits for :class:`DemoStart`."""

    def __init__(self) -> None:
        from app.services.settings import demo_settings
        from app.ui.i18n import apply_language

        super().__init__()
        settings = demo_settings()
        apply_language(settings.ui.language)  # the language the counter window will use
        agency = settings.agency.name
        self.setWindowTitle("Loket KTP-el — " + agency + " — DEMO")
        self.resize(1366, 740)  # the counter window's size: the swap does not jump
        self.login = LoginScreen(_not_ready, demo=True, agency=agency, demo_hint="")
        self.login.demo_label.hide()
        self.login.language_box.setEnabled(False)  # the language is switched once ready
        self.login.sign_in.setEnabled(False)  # fail closed: no sign-in before the demo exists
        self.login.busy.label.setText(_("Preparing the demo…"))
        self.login.busy.cancel_button.hide()
        # no moving bar: each of its frames takes Python's interpreter lock from the builder
        # thread and made the demo ready about a quarter later; the text says what happens
        self.login.busy.bar.hide()
        self.login.busy.show()
        banner = QLabel(_("DEMO — simulated gateway and invented residents; nothing here is real."))
        banner.setObjectName("demoBanner")
        banner.setStyleSheet("background:#6a1b9a; color:white; font-weight:bold; padding:3px 8px;")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(banner)
        layout.addWidget(self.login, 1)
        self.setCentralWidget(central)
        self.login.username.setFocus()


class DemoStart(QObject):
    """Paints the sign-in window, builds the demo on a worker, then shows the counter window."""

    _built = Signal()
    _broken = Signal(object)
    ready = Signal()
    failed = Signal(int)

    def __init__(self, data_dir: Path | None = None) -> None:
        super().__init__()
        self.preparing = PreparingWindow()
        self.window: AppWindow | None = None
        self.world: DemoWorld | None = None
        self.data_dir = data_dir
        self.exit_code: int | None = None
        self._thread: threading.Thread | None = None
        self._sender_start: threading.Thread | None = None
        self._screens_import: threading.Thread | None = None
        self._built.connect(self._show_counter)
        self._broken.connect(self._show_failure)

    def begin(self) -> None:
        """Show the sign-in window and start building the demo off the UI thread."""
        self.preparing.show()
        self._thread = threading.Thread(target=self._build, name="demo-start", daemon=True)
        self._thread.start()

    def _build(self) -> None:
        try:
            from app.services.demo import build_demo, make_demo_dir

            if self.data_dir is None:
                self.data_dir = make_demo_dir()  # a killed demo's folder is removed here
            self.world = build_demo(self.data_dir)
        except BaseException as error:  # shown on the UI thread
            self._broken.emit(error)
            return
        self._built.emit()

    def _show_counter(self) -> None:
        from app.ui.app_window import import_counter_screens_ahead
        from app.ui.main import announce_demo_state, demo_window, install_crash_handlers

        assert self.world is not None and self.data_dir is not None
        try:
            install_crash_handlers()
            announce_demo_state(self.data_dir, self.world)
            window = demo_window(self.world)
        except Exception as error:
            self._show_failure(error)
            return
        typed = self.preparing.login.username.text(), self.preparing.login.password.text()
        window.setGeometry(self.preparing.geometry())
        if self.preparing.isMaximized():
            window.showMaximized()
        else:
            window.show()
        window.login.username.setText(typed[0])
        window.login.password.setText(typed[1])
        (window.login.password if typed[0] else window.login.username).setFocus()
        self.window = window
        self.preparing.close()
        # the case screen's modules load behind the ready window (it is built at sign-in)
        self._screens_import = import_counter_screens_ahead()
        if self.world.services.balikan is not None:
            # the sender's client (and the HTTP library) load on a worker after them: the
            # window is ready and answers meanwhile
            self._sender_start = threading.Thread(
                target=self._start_sender, name="balikan-start", daemon=True
            )
            self._sender_start.start()
        self.ready.emit()

    def _start_sender(self) -> None:
        assert self.world is not None and self.world.services.balikan is not None
        if self._screens_import is not None:
            self._screens_import.join()  # the officer's sign-in needs those first
        try:
            self.world.services.balikan.start_background()
        except Exception as error:  # the demo goes on; what was queued waits in the outbox
            log.error("demo data balikan sender not started: %s", type(error).__name__)

    def _show_failure(self, error: BaseException) -> None:
        from app.ui.main import startup_failed

        if not isinstance(error, Exception):
            raise error
        log.error("demo start failed: %s", type(error).__name__)
        self.preparing.login.busy.hide()
        self.preparing.login.error.setText(_("The demo could not be started."))
        self.exit_code = startup_failed(error)
        self.failed.emit(self.exit_code)

    def close(self) -> None:
        """Wait for the builder, then release the demo and remove its temporary folder."""
        if self._thread is not None:
            self._thread.join()
        if self._sender_start is not None:
            self._sender_start.join()
        if self._screens_import is not None:
            self._screens_import.join()
        from app.ui.workers import wait_for_all

        if self.window is not None:
            if self.window.built_case_screen is not None:
                self.window.built_case_screen.release()
            self.window.close()  # its timers stop: no new work after this
        wait_for_all(5000)
        if self.world is not None:
            if self.world.services.balikan is not None:
                self.world.services.balikan.stop()
            self.world.services.core.close()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        # the windows go now, while the application object exists (not at interpreter exit)
        for widget in (self.window, self.preparing):
            if widget is not None and shiboken6.isValid(widget):
                shiboken6.delete(widget)
        self.window = None


def run_demo(quit_after_ms: int | None = None) -> int:
    """``loket demo``: the sign-in window first, the demo built behind it."""
    from app.services.logging_setup import configure_logging
    from app.ui.quit_signals import (
        drop_pending_quit,
        quit_on_signals,
        restore_signal_handlers,
    )

    configure_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    collector = collect_on_ui_thread(app)
    stop_requested = quit_on_signals(app)  # from here on, SIGTERM/SIGINT end it cleanly
    start = DemoStart()
    start.failed.connect(app.exit)  # the message was shown: the demo ends with status 2
    start.begin()
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, lambda: start.window and start.window.close())
        QTimer.singleShot(quit_after_ms, app.quit)
    try:
        code = 0 if stop_requested else app.exec()
        return start.exit_code if start.exit_code is not None else code
    finally:
        drop_pending_quit(app)
        start.close()
        collector.stop()
        restore_signal_handlers()
