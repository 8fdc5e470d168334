"""Officer actions per case (card path and typed path), cold start until signing in, peak memory.

1. Actions: a whole case driven through the real window from the keyboard, on the in-process
   simulator, counting every key press and click the officer makes from the idle case
   screen to "case closed" (placing the applicant's KTP-el is not counted). Card path:
   (1) documents all present, (2) approve (issues; the print dialog's "Print" is part of it),
   (3) hand over (queues data balikan, closes). Goals: card <= 3, typed <= 16 + 3.
2. Cold start: a fresh Python process running ``loket demo``'s start (offscreen platform),
   from launch until the officer can sign in (the demo built behind the sign-in window, the
   button enabled), median of 3. Goal: <= 1.5 s. The time until the sign-in window is on
   screen, the CPU seconds until signing in is possible and (information) the time from the
   sign-in's submit to the case screen (the password check, and building the case screen,
   which waits for the first sign-in) are printed too. The application's modules are
   byte-compiled first, as an installed application (wheel or bundle) has them: a shell with
   PYTHONDONTWRITEBYTECODE set would otherwise make every start compile them from source.
3. Peak memory: that same process (the app's own, not this bench's) then signs the officer in
   and drives a whole card-path case; its peak resident memory through all of it (VmHWM:
   ru_maxrss would include this bench's own peak, which Linux carries over fork and exec),
   the largest of the runs. Goal: <= 200 MB.

Run from the repository root: ``python bench/bench_ui.py``.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QMessageLogContext, QThreadPool, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from app.services.demo import build_demo
from app.services.settings import demo_settings
from app.services.simulator import GatewaySimulator, SimulatorConfig
from app.ui.main import demo_window
from app.ui.reader_bridge import SimulatedReader
from app.ui.ui_thread_gc import collect_on_ui_thread
from bench.case_driver import drive_case, sign_in
from bench.goals import Scorecard

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication exists
ROOT = Path(__file__).resolve().parent.parent

TARGET_CARD_ACTIONS = 3
TARGET_TYPED_ACTIONS = 16 + 3  # the 16 digits of the NIK and three more
TARGET_COLD_START_S = 1.5
TARGET_PEAK_MB = 200.0

# The app's own process: ``loket demo``'s start, then sign-in and one whole card-path case.
# Nothing but Qt and the start module is imported before the window is up (as in ``loket demo``).
COLD_START = """
import sys, tempfile
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from app.ui.demo_start import DemoStart
from app.ui.ui_thread_gc import collect_on_ui_thread
collector = collect_on_ui_thread(app)  # as ``loket demo`` does
start = DemoStart(Path(tempfile.mkdtemp(prefix="loket-bench-")))
start.begin()  # the sign-in window is shown; the demo is built behind it
def peak_kb():
    # VmHWM: this process's own peak. ru_maxrss is not: Linux carries the launching
    # process's peak over fork/exec, so a big bench process would inflate it.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def ready():
    window = start.window
    assert window is not None and window.login.sign_in.isEnabled()
    import time
    print("READY", time.process_time(), flush=True)  # and the CPU seconds it took
    from bench.case_driver import drive_case, sign_in
    submitted = time.perf_counter()
    sign_in(app, window, "petugas", "demo1234")  # the password check's memory counts
    # from the submit to the case screen: the password check and building the case screen
    print("SIGNED_IN", time.perf_counter() - submitted, flush=True)
    simulator = start.world.simulator
    drive_case(app, window, simulator.population.examples()["found"], card=True)
    print("PEAK_KB", peak_kb(), flush=True)
    app.quit()
def shown():
    print("LOGIN_SHOWN", flush=True)
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


def one_case(app: QApplication, card: bool) -> int:
    clock = Clock()
    simulator = GatewaySimulator(SimulatorConfig(daily_quota=200), mode="demo", clock=clock)
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        world = build_demo(Path(tmp), demo_settings(), clock=clock, simulator=simulator)
        reader = SimulatedReader(demo=True, step_delay_s=0.001)
        window = demo_window(world, reader)
        window.show()
        window.activateWindow()
        try:
            sign_in(app, window, "petugas", "demo1234")
            QThreadPool.globalInstance().waitForDone(10000)
            return drive_case(app, window, simulator.population.examples()["found"], card=card)
        finally:
            window.close()
            QThreadPool.globalInstance().waitForDone(5000)
            world.services.core.close()


@dataclass(frozen=True)
class ColdStart:
    """One cold start: seconds to the window and to sign-in (wall, CPU), from the sign-in's
    submit to the case screen, and the process's peak MB."""

    window_shown_s: float
    sign_in_possible_s: float
    sign_in_possible_cpu_s: float
    submit_to_case_screen_s: float
    peak_mb: float


def _run_app(errors: IO[str]) -> tuple[dict[str, float], float, int]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", COLD_START],
        stdout=subprocess.PIPE,
        stderr=errors,
        env=env,
        cwd=ROOT,
        text=True,
    )
    assert process.stdout is not None
    marks: dict[str, float] = {}
    peak_mb = 0.0
    for line in process.stdout:
        word, *value = line.split() or [""]
        if word == "SIGNED_IN" and value:
            marks["SIGNED_IN_S"] = float(value[0])
        elif word in ("LOGIN_SHOWN", "READY"):
            marks[word] = time.perf_counter() - started
            if value:
                marks[word + "_CPU"] = float(value[0])
        elif word == "PEAK_KB":
            peak_mb = int(value[0]) / 1024
    return marks, peak_mb, process.wait(60)


def cold_start() -> ColdStart:
    """Launch the app's start in a fresh process; time it, then sign in and drive a case."""
    with tempfile.TemporaryFile(mode="w+") as errors:  # shown if the run breaks
        marks, peak_mb, status = _run_app(errors)
        errors.seek(0)
        trouble = [line for line in errors.read().splitlines() if "propagateSizeHints" not in line]
    complete = all(mark in marks for mark in ("LOGIN_SHOWN", "READY", "SIGNED_IN_S"))
    if not complete or not peak_mb or status != 0:
        print("\n".join(trouble[-20:]), file=sys.stderr)
        raise SystemExit("the app's cold start, sign-in or case did not complete")
    print(
        f"  sign-in window after {marks['LOGIN_SHOWN']:.2f} s, signing in possible after "
        f"{marks['READY']:.2f} s ({marks['READY_CPU']:.2f} s of CPU: less noisy on a busy "
        f"machine), submit to case screen {marks['SIGNED_IN_S']:.2f} s, peak {peak_mb:.1f} MB"
    )
    return ColdStart(
        marks["LOGIN_SHOWN"], marks["READY"], marks["READY_CPU"], marks["SIGNED_IN_S"], peak_mb
    )


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
    collect_on_ui_thread(app)  # as the application does
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
    compileall.compile_dir(ROOT / "app", quiet=1)  # as installed (see the module docstring)
    runs = [cold_start() for _ in range(1 if args.smoke else 3)]
    shown = statistics.median(run.window_shown_s for run in runs)
    print(f"  sign-in window on screen after {shown:.2f} s (median)")
    cpu = statistics.median(run.sign_in_possible_cpu_s for run in runs)
    print(f"  CPU until signing in is possible: {cpu:.2f} s (median)")
    submit = statistics.median(run.submit_to_case_screen_s for run in runs)
    print(f"  from the sign-in's submit to the case screen: {submit:.2f} s (median, information)")
    card.add(
        "cold start until the officer can sign in",
        statistics.median(run.sign_in_possible_s for run in runs),
        TARGET_COLD_START_S,
        "s",
    )
    card.add(
        "peak memory of the app through sign-in and a case",
        max(run.peak_mb for run in runs),
        TARGET_PEAK_MB,
        "MB",
    )
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
