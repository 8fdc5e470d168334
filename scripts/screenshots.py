"""Regenerate docs/screenshot-*.png of each main screen (run through scripts/screenshots).

Drives the demo window at 1366x768 with a fixed clock, so the pictures are reproducible.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.demo import build_demo  # noqa: E402
from app.services.settings import demo_settings  # noqa: E402
from app.services.simulator import GatewaySimulator, SimulatorConfig  # noqa: E402
from app.ui.first_run import FirstRunWizard  # noqa: E402
from app.ui.main import demo_window  # noqa: E402
from app.ui.reader_bridge import SimulatedReader  # noqa: E402

DOCS = ROOT / "docs"


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


def shot(app: QApplication, widget: QWidget, name: str) -> None:
    settle(app)
    path = DOCS / f"screenshot-{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def wait_task(app: QApplication, screen: object) -> None:
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(10000)
    settle(app)
    while getattr(screen, "task", None) is not None or getattr(screen, "working", False):
        QThreadPool.globalInstance().waitForDone(100)
        settle(app)


def counter_screens(app: QApplication, language: str) -> None:
    """Lock screen, print dialog, record of processing, officer admin, training list, sign-in
    and first-run wizard in ``language`` (English files end in ``-en``)."""
    import os

    from PySide6.QtCore import QThreadPool
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from app.ui.i18n import apply_language
    from app.ui.main import first_run_wizard
    from app.ui.qt_strings import install_qt_strings
    from app.ui.reports_dialog import open_processing_record

    suffix = "" if language == "id" else "-en"
    clock = Clock()
    with tempfile.TemporaryDirectory(prefix="loket-shots-") as tmp:
        os.environ["LOKET_USER_CONFIG"] = str(Path(tmp) / "user.toml")  # never the real one
        simulator = GatewaySimulator(SimulatorConfig(daily_quota=200), mode="demo", clock=clock)
        world = build_demo(Path(tmp) / "data", demo_settings(), clock=clock, simulator=simulator)
        window = demo_window(world, SimulatedReader(demo=True, step_delay_s=0.001))
        window.resize(1366, 768)
        window.show()
        if language != "id":
            window.switch_language(language)
        shot(app, window, f"login{suffix}")

        def sign_in(username: str) -> None:
            window.login.username.setText(username)
            window.login.password.setText("demo1234")
            window.login.submit()
            QThreadPool.globalInstance().waitForDone(10000)
            settle(app)

        sign_in("petugas")
        window.lock()
        shot(app, window, f"lock{suffix}")
        window.sign_out()
        sign_in("supervisor")
        printer = QPrinter()  # kept alive while the dialog uses it
        dialog = QPrintDialog(printer, window)
        dialog.resize(640, 480)
        dialog.show()
        shot(app, dialog, f"print-dialog{suffix}")
        dialog.close()
        window.show_training_niks()
        assert window.training_dialog is not None
        shot(app, window.training_dialog, f"training{suffix}")
        window.training_dialog.close()
        services = world.services
        nik = simulator.population.examples()["found"]
        steps = [
            ("card.read", None),
            ("case.opened", "L-20261123-0001"),
            ("lookup.sent", "L-20261123-0001"),
            ("lookup.answered", "L-20261123-0001"),
            ("case.cross_check", "L-20261123-0001"),
            ("case.approve", "L-20261123-0001"),
            ("case.issue", "L-20261123-0001"),
            ("case.hand_over", "L-20261123-0001"),
            ("balikan.queued", "L-20261123-0001"),
        ]
        with services.core.sessions.begin() as session:
            for action, case_number in steps:
                services.audit.append(
                    session,
                    "petugas",
                    action,
                    case_number=case_number,
                    nik_hash=services.keys.nik_hash(nik),
                )
        assert window.officer is not None
        record = open_processing_record(window, services, window.officer, nik)
        assert record is not None
        record.resize(1000, 740)
        settle(app, 60)
        shot(app, record, f"record-of-processing{suffix}")
        record.done(0)
        window.sign_out()
        sign_in("admin")
        window.show_admin()
        shot(app, window, f"officer-admin{suffix}")
        window.close()
        world.services.core.close()
        apply_language(language)
        install_qt_strings()
        os.environ["LOKET_USER_CONFIG"] = str(Path(tmp) / "user.toml")
        wizard = first_run_wizard() if language == "id" else None
        if wizard is None:  # an administrator who chose English before
            from app.services.settings import save_user_language

            save_user_language("en")
            wizard = first_run_wizard()
        wizard.resize(1000, 700)
        wizard.show()
        wizard.id_lembaga.setText("330301")
        wizard.agency_name.setText("Bappelitbangda Kabupaten Contoh")
        wizard.programmes.setText("PKH, BPNT, PBI")
        shot(app, wizard, f"first-run{suffix}")
        wizard.close()
        os.environ.pop("LOKET_USER_CONFIG", None)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    DOCS.mkdir(exist_ok=True)
    if sys.argv[1:2] == ["--counter"]:
        # only the screens of the counter polish, in both languages
        for language in ("id", "en"):
            counter_screens(app, language)
        return 0
    clock = Clock()
    settings = demo_settings()
    simulator = GatewaySimulator(SimulatorConfig(daily_quota=200), mode="demo", clock=clock)
    with tempfile.TemporaryDirectory(prefix="loket-shots-") as tmp:
        world = build_demo(Path(tmp), settings, clock=clock, simulator=simulator)
        window = demo_window(world, SimulatedReader(demo=True, step_delay_s=0.001))
        window.resize(1366, 768)
        window.show()
        shot(app, window, "login")
        window.login.username.setText("petugas")
        window.login.password.setText("demo1234")
        window.login.submit()
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10000)
        settle(app)
        screen = window.case_screen
        # the print dialog that opens after approval is answered "Print" (no printer here)
        screen.print_statement = lambda: (screen.issue_page.preview.printed.emit(), True)[1]
        wait_task(app, screen)
        shot(app, window, "new-case")
        screen.new_page.primary()
        wait_task(app, screen)
        for box in screen.documents_page.boxes.values():
            box.setChecked(True)
        screen.documents_page.primary()
        wait_task(app, screen)
        examples = simulator.population.examples()
        screen.nik_page.nik.setText(examples["found"][:10])
        screen.nik_page.validate()
        screen.nik_page.nik.setText(examples["found"])
        screen.nik_page.validate()
        shot(app, window, "nik-entry")
        screen.nik_page.reset()
        window.demo_card()  # type: ignore[misc]
        wait_task(app, screen)
        screen.nik_page.primary()
        wait_task(app, screen)
        shot(app, window, "verification-found")
        screen.verify_page.primary()  # approve: issued, printed
        wait_task(app, screen)
        shot(app, window, "document-preview")
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
        shot(app, window, "guard-refusal")
        clock.advance(60)
        screen.nik_page.primary()
        wait_task(app, screen)
        shot(app, window, "guidance-deceased")
        screen.release()
        window.sign_out()
        window.login.username.setText("admin")
        window.login.password.setText("demo1234")
        window.login.submit()
        QThreadPool.globalInstance().waitForDone(10000)
        settle(app)
        window.show_admin()
        shot(app, window, "officer-admin")
        window.close()
        world.services.core.close()
    wizard = FirstRunWizard()
    wizard.resize(1000, 700)
    wizard.show()
    wizard.id_lembaga.setText("330301")
    wizard.agency_name.setText("Bappelitbangda Kabupaten Contoh")
    wizard.programmes.setText("PKH, BPNT, PBI")
    shot(app, wizard, "first-run")
    wizard.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
