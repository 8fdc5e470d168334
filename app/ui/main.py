"""Qt start-up: build the core, open the main window, run the event loop."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox

from app.domain.i18n import _
from app.services.bootstrap import build_core
from app.services.logging_setup import configure_logging
from app.services.settings import (
    SettingsError,
    demo_settings,
    is_configured,
    load_settings,
)


class MainWindow(QMainWindow):
    """The counter's single window."""

    def __init__(self, demo: bool) -> None:
        super().__init__()
        title = "Loket KTP-el"
        if demo:
            title += " — DEMO"
        self.setWindowTitle(title)
        self.resize(1280, 720)
        self.setCentralWidget(QLabel(_("Welcome"), self))
        self.statusBar().showMessage("DEMO" if demo else "")


def run_gui(mode: str, quit_after_ms: int | None = None) -> int:
    """Start the application in ``mode`` (``demo`` or ``production``)."""
    configure_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    if mode == "demo":
        settings = demo_settings()
        data_dir: Path | None = Path(tempfile.mkdtemp(prefix="loket-demo-"))
    else:
        if not is_configured():
            QMessageBox.information(None, "Loket KTP-el", _("This counter is not configured yet."))
            return 3
        try:
            settings = load_settings()
        except SettingsError as error:
            QMessageBox.critical(None, "Loket KTP-el", str(error))
            return 2
        data_dir = None
    core = build_core(settings, data_dir=data_dir)
    window = MainWindow(demo=settings.is_demo)
    window.show()
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, app.quit)
    try:
        return app.exec()
    finally:
        core.close()
