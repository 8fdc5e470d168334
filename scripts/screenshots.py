"""Regenerate docs/screenshot-*.png of each main screen (run through scripts/screenshots).

Drives the demo window at 1366x768 with a fixed clock, so the pictures are reproducible. Every
screen is taken in Indonesian (``screenshot-<name>.png``) and in English
(``screenshot-<name>-en.png``). Synthetic data only: the demo simulator's invented residents.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.demo import build_demo  # noqa: E402
from app.services.settings import demo_settings  # noqa: E402
from app.services.simulator import GatewaySimulator, SimulatorConfig  # noqa: E402
from app.ui.main import demo_window  # noqa: E402
from app.ui.reader_bridge import SimulatedReader  # noqa: E402
from app.ui.ui_thread_gc import collect_on_ui_thread  # noqa: E402

DOCS = ROOT / "docs"
LANGUAGES = ("id", "en")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 30) -> None:
        self.now += timedelta(seconds=seconds)


def settle(app: QApplication, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def file_name(name: str, language: str, ext: str = "png") -> Path:
    """Indonesian keeps the plain name (README links it); English ends in ``-en``."""
    suffix = "" if language == "id" else f"-{language}"
    return DOCS / f"screenshot-{name}{suffix}.{ext}"


def shot(app: QApplication, widget: QWidget, name: str, language: str) -> None:
    settle(app)
    path = file_name(name, language)
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def wait_pool(app: QApplication) -> None:
    QThreadPool.globalInstance().waitForDone(10000)
    settle(app)


def wait_task(app: QApplication, screen: object) -> None:
    wait_pool(app)
    while getattr(screen, "task", None) is not None or getattr(screen, "working", False):
        QThreadPool.globalInstance().waitForDone(100)
        settle(app)


def shoot_modal(app: QApplication, open_it: Callable[[], object], name: str, language: str) -> None:
    """Take the modal message box ``open_it`` shows, then close it."""

    def take() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shot(app, box, name, language)
            box.done(0)
        else:
            QTimer.singleShot(50, take)

    QTimer.singleShot(50, take)
    open_it()


def render_pdf(pdf: bytes, name: str, language: str) -> None:
    """The first page of ``pdf`` as a PNG through pdftoppm (poppler-utils)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        print("pdftoppm missing: install poppler-utils", file=sys.stderr)
        return
    target = file_name(name, language, "")
    with tempfile.TemporaryDirectory(prefix="loket-pdf-") as tmp:
        source = Path(tmp) / "record.pdf"
        source.write_bytes(pdf)  # synthetic demo data, in a temporary folder deleted at once
        subprocess.run(
            [
                tool,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(target).removesuffix("."),
            ],
            check=True,
        )
    print(file_name(name, language).relative_to(ROOT))


def screens(app: QApplication, language: str) -> None:
    """Every main screen in ``language``."""
    from app.ui.i18n import apply_language
    from app.ui.main import first_run_wizard
    from app.ui.qt_strings import install_qt_strings

    clock = Clock()
    with tempfile.TemporaryDirectory(prefix="loket-shots-") as tmp:
        os.environ["LOKET_USER_CONFIG"] = str(Path(tmp) / "user.toml")  # never the real one
        simulator = GatewaySimulator(SimulatorConfig(daily_quota=200), mode="demo", clock=clock)
        world = build_demo(Path(tmp) / "data", demo_settings(), clock=clock, simulator=simulator)
        window = demo_window(world, SimulatedReader(demo=True, step_delay_s=0.001))
        window.resize(1366, 768)
        window.show()
        window.switch_language(language)
        shot(app, window, "login", language)

        def sign_in(username: str) -> None:
            window.login.username.setText(username)
            window.login.password.setText("demo1234")
            window.login.submit()
            wait_pool(app)

        examples = simulator.population.examples()
        # --- the officer: one case through every step, then refusing answers
        sign_in("petugas")
        screen = window.case_screen
        wait_task(app, screen)
        shot(app, window, "new-case", language)
        screen.new_page.primary()
        wait_task(app, screen)
        for box in screen.documents_page.boxes.values():
            box.setChecked(True)
        shot(app, window, "documents", language)
        screen.documents_page.primary()
        wait_task(app, screen)
        screen.nik_page.nik.setText(examples["found"][:10])
        screen.nik_page.validate()
        screen.nik_page.nik.setText(examples["found"])
        screen.nik_page.validate()
        shot(app, window, "nik-entry", language)
        screen.nik_page.reset()
        window.demo_card()  # type: ignore[misc]
        wait_task(app, screen)
        screen.nik_page.primary()
        wait_task(app, screen)
        shot(app, window, "verification-found", language)
        # no paper printer under Xvfb: the statement counts as printed so the case goes on
        preview = screen.issue_page.preview
        screen.print_statement = lambda: (preview.printed.emit(), True)[1]
        screen.verify_page.primary()  # approve: issued, printed
        wait_task(app, screen)
        shot(app, window, "document-preview", language)
        # what "Cetak…" shows on a PC with no printer installed (as under Xvfb)
        shoot_modal(app, preview.print_document, "no-printer", language)
        screen.issue_page.primary()  # hand over: data balikan queued, closed
        wait_task(app, screen)
        # a refusal with its guidance: the pattern guard (a second lookup within seconds)
        screen.new_page.primary()
        wait_task(app, screen)
        screen.documents_page.confirm_all()
        wait_task(app, screen)
        screen.nik_page.nik.setText(examples["deceased"])
        screen.nik_page.primary()
        wait_task(app, screen)
        shot(app, window, "guard-refusal", language)
        clock.advance(60)
        screen.nik_page.primary()
        wait_task(app, screen)
        shot(app, window, "guidance-deceased", language)
        screen.ask_reason = lambda _title, _label: "Pemohon diarahkan ke Dinas Dukcapil"
        screen.cancel()
        wait_task(app, screen)
        clock.advance(120)
        screen.new_page.primary()
        wait_task(app, screen)
        screen.documents_page.confirm_all()
        wait_task(app, screen)
        screen.nik_page.nik.setText(examples["not_found"])
        screen.nik_page.primary()
        wait_task(app, screen)
        shot(app, window, "not-found", language)
        screen.cancel()
        wait_task(app, screen)
        window.lock()
        shot(app, window, "lock", language)
        window.sign_out()
        # --- the supervisor: reports, incidents, a resident's record, the training list
        clock.advance(120)
        sign_in("supervisor")
        shoot_print_dialog(app, window, language)
        window.show_supervisor_reports()
        dialog = window.supervisor_dialog
        dialog.resize(1000, 700)
        wait_pool(app)
        settle(app, 40)
        shot(app, dialog, "supervisor-reports", language)
        dialog.done(0)
        window.show_incidents()
        incidents = window.incidents_dialog
        incidents.resize(1000, 700)
        wait_pool(app)
        settle(app, 40)
        shot(app, incidents, "incidents", language)
        incidents.done(0)
        window.show_training_niks()
        assert window.training_dialog is not None
        shot(app, window.training_dialog, "training", language)
        window.training_dialog.close()
        assert window.officer is not None
        from app.ui.reports_dialog import open_processing_record

        record = open_processing_record(window, window.services, window.officer, examples["found"])
        assert record is not None
        record.resize(1000, 740)
        wait_pool(app)
        settle(app, 60)
        shot(app, record, "record-of-processing", language)
        record.done(0)
        wait_pool(app)
        render_pdf(
            window.services.processing_record(examples["found"], window.officer),
            "record-of-processing-pdf",
            language,
        )
        window.sign_out()
        # --- the administrator: officers and access, diagnostics
        sign_in("admin")
        window.show_admin()
        shot(app, window, "officer-admin", language)
        window.show_diagnostics()
        diagnostics = window.diagnostics_dialog
        diagnostics.resize(900, 640)
        wait_pool(app)
        settle(app, 60)
        shot(app, diagnostics, "diagnostics", language)
        diagnostics.done(0)
        window.sign_out()
        window.close()
        world.services.core.close()
        # --- the first-run wizard (an unconfigured PC)
        apply_language(language)
        install_qt_strings()
        wizard = first_run_wizard()
        wizard.resize(1000, 700)
        wizard.show()
        wizard.id_lembaga.setText("330301")
        wizard.agency_name.setText("Bappelitbangda Kabupaten Contoh")
        wizard.programmes.setText("PKH, BPNT, PBI")
        shot(app, wizard, "first-run", language)
        wizard.close()
        os.environ.pop("LOKET_USER_CONFIG", None)


def shoot_print_dialog(app: QApplication, window: QWidget, language: str) -> None:
    """Qt's print dialog as the app opens it (its texts come from app.ui.qt_strings)."""
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # kept alive while the dialog runs
    dialog = QPrintDialog(printer, window)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    dialog.resize(640, 480)
    dialog.show()
    shot(app, dialog, "print-dialog", language)
    from PySide6.QtWidgets import QPushButton

    for button in dialog.findChildren(QPushButton):
        if button.text().endswith(">>"):  # "Options >>": copies and page range
            button.click()
    dialog.adjustSize()
    shot(app, dialog, "print-dialog-options", language)
    dialog.close()


def main() -> int:
    if {"-h", "--help"} & set(sys.argv[1:]):
        print(__doc__.strip() + "\n\nusage: scripts/screenshots [id] [en]   (default: both)")
        return 0
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    collect_on_ui_thread(app)  # as the application does
    DOCS.mkdir(exist_ok=True)
    languages = [arg for arg in sys.argv[1:] if arg in LANGUAGES] or list(LANGUAGES)
    for language in languages:
        screens(app, language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
