"""Officer actions per case (card path and typed path) and cold start to the login window.

1. Actions: a whole case driven through the real window from the keyboard, on the in-process
   simulator, counting every key press and click the officer makes from the idle case
   screen to "case closed" (placing the applicant's KTP-el is not counted). Card path:
   (1) documents all present, (2) approve (issues; the print dialog's "Print" is part of it),
   (3) hand over (queues data balikan, closes). Goals: card <= 3, typed <= 16 + 3.
2. Cold start: a fresh Python process from launch until the demo login window is on screen
   (offscreen platform), median of 3. Goal: <= 1.5 s. The demo is built behind that window
   (sign-in disabled meanwhile); the time until signing in is possible is printed too.
   Then the officer signs in; the
   process's peak memory (ru_maxrss, the password check included) <= 200 MB.

Run from the repository root: ``python bench/bench_ui.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QMessageLogContext, Qt, QThreadPool, QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services.demo import build_demo
from app.services.settings import demo_settings
from app.services.simulator import GatewaySimulator, SimulatorConfig
from app.ui.case.case_screen import PAGE_DOCUMENTS, PAGE_VERIFY
from app.ui.main import demo_window
from app.ui.reader_bridge import SimulatedReader
from bench.goals import Scorecard

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication exists
ROOT = Path(__file__).resolve().parent.parent

TARGET_CARD_ACTIONS = 3
TARGET_TYPED_ACTIONS = 16 + 3  # the 16 digits of the NIK and three more
TARGET_COLD_START_S = 1.5
TARGET_PEAK_MB = 200.0

COLD_START = """
import sys, tempfile, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from app.ui.demo_start import DemoStart
start = DemoStart(Path(tempfile.mkdtemp(prefix="loket-bench-")))
start.begin()  # the sign-in window is shown; the demo is built behind it
def peak_kb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def signed_in():
    window = start.window
    if window.stack.currentWidget() is not window.case_screen:
        QTimer.singleShot(20, signed_in)
        return
    print("PEAK_KB", peak_kb(), flush=True)
    app.quit()
def ready():
    print("READY", flush=True)
    # then the officer signs in (the password check's memory counts)
    start.window.login.username.setText("petugas")
    start.window.login.password.setText("demo1234")
    start.window.login.submit()
    signed_in()
def shown():
    print("LOGIN_SHOWN", flush=True)
    print("LOGIN_PEAK_KB", peak_kb(), flush=True)
    if start.window is None:
        start.ready.connect(ready)
    else:
        ready()
QTimer.singleShot(0, shown)
app.exec()
start.close()
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now


class Officer:
    """Presses keys on whatever has the focus, and counts."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.actions = 0

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        widget = QApplication.focusWidget()
        assert widget is not None
        QTest.keyClick(widget, key, modifier)
        self.actions += 1
        self.settle()

    def type(self, text: str) -> None:
        for char in text:
            widget = QApplication.focusWidget()
            assert widget is not None
            QTest.keyClicks(widget, char)
            self.actions += 1
        self.settle()

    def settle(self) -> None:
        for _ in range(5):
            self.app.processEvents()


def wait_until(officer: Officer, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait (no action counted) until the screen got there."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the case screen did not get there in time")
        QThreadPool.globalInstance().waitForDone(50)
        officer.settle()


def one_case(app: QApplication, card: bool) -> int:
    clock = Clock()
    simulator = GatewaySimulator(SimulatorConfig(daily_quota=200), mode="demo", clock=clock)
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        world = build_demo(Path(tmp), demo_settings(), clock=clock, simulator=simulator)
        reader = SimulatedReader(demo=True, step_delay_s=0.001)
        window = demo_window(world, reader)
        window.show()
        window.activateWindow()
        window.login.username.setText("petugas")
        window.login.password.setText("demo1234")
        window.login.submit()
        QThreadPool.globalInstance().waitForDone(10000)
        screen = window.case_screen
        # The print dialog that opens after approval is answered "Print" as part of the
        # approval (a paper printer is not part of the bench machine).
        screen.print_statement = lambda: (screen.issue_page.preview.printed.emit(), True)[1]
        officer = Officer(app)
        officer.settle()
        nik = simulator.population.examples()["found"]
        if card:
            # the applicant's card on the reader: not an officer action; the case opens for
            # the officer's programme (asked once: the first programme) and the card is read
            screen.ask_programme = lambda: screen.new_page.request()
            window.demo_card()  # type: ignore[misc]
            wait_until(officer, lambda: screen.card is not None and screen.task is None)
        else:
            officer.type(nik)  # 16 digits on the idle screen open the case
        wait_until(officer, lambda: screen.page == PAGE_DOCUMENTS and not screen.working)
        officer.key(Qt.Key.Key_Return)  # (1) every document present: looked up by itself
        wait_until(officer, lambda: screen.page == PAGE_VERIFY and screen.task is None)
        case = screen.case
        assert case is not None
        officer.key(Qt.Key.Key_Space)  # (2) approve (focused): issued, printing opens
        wait_until(officer, lambda: case.statement_printed and not screen.working)
        officer.key(Qt.Key.Key_Return)  # (3) hand over: data balikan queued, case closed
        wait_until(officer, lambda: screen.case is None and not screen.working)
        case_closed = (screen.case is None and "ditutup" in screen.message.text()) or (
            screen.case is None and "closed" in screen.message.text()
        )
        window.close()
        QThreadPool.globalInstance().waitForDone(5000)
        world.services.core.close()
        if not case_closed:
            raise SystemExit("the case did not reach 'closed'")
        return officer.actions


def cold_start() -> tuple[float, float]:
    """Seconds to the login window, and the process's peak memory (MB) once signed in.

    The seconds until signing in is possible (the demo built behind the window) are printed.
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", COLD_START],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == "LOGIN_SHOWN":
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit("the login window never appeared")
    peak_mb = 0.0
    for line in process.stdout:
        if line.strip() == "READY":
            print(f"  sign-in possible after {time.perf_counter() - started:.2f} s")
        if line.startswith("PEAK_KB"):
            peak_mb = int(line.split()[1]) / 1024
    process.wait(30)
    return elapsed, peak_mb


def _quiet(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def main() -> int:
    """Count actions, time the cold start, measure peak memory; exit 1 on a miss."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one cold start, no gate")
    args = parser.parse_args()
    card = Scorecard(smoke=args.smoke)
    qInstallMessageHandler(_quiet)
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    card.add(
        "officer actions per case (card path)",
        one_case(app, card=True),
        TARGET_CARD_ACTIONS,
        "actions",
    )
    card.add(
        "officer actions per case (typed path)",
        one_case(app, card=False),
        TARGET_TYPED_ACTIONS,
        "actions",
    )
    runs = [cold_start() for _ in range(1 if args.smoke else 3)]
    card.add(
        "cold start to the login window",
        statistics.median(t for t, _m in runs),
        TARGET_COLD_START_S,
        "s",
    )
    card.add("peak memory after sign-in", max(m for _t, m in runs), TARGET_PEAK_MB, "MB")
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
