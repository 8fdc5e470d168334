"""Qt start-up: demo (simulator, demo officers) or production (first-run set-up, then the core)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.domain.errors import UserFacingError
from app.domain.i18n import _
from app.services.app_core import AppServices, build_services
from app.services.bootstrap import Core, build_core
from app.services.crash import install_excepthook, write_crash_record, write_message_record
from app.services.dukcapil import guidance_text
from app.services.error_messages import UNEXPECTED, user_message
from app.services.gateway_setup import GatewaySetupError, build_gateway
from app.services.keys import KeyProblem
from app.services.logging_setup import configure_logging
from app.services.secrets import (
    KeyringSecretStore,
    SecretStore,
    SecretStoreUnavailable,
)
from app.services.settings import (
    Settings,
    is_configured,
    load_settings,
    user_language,
)
from app.ui.app_window import AppWindow, import_counter_screens_ahead
from app.ui.i18n import apply_language
from app.ui.key_problem import KeyProblemDialog
from app.ui.quit_signals import drop_pending_quit
from app.ui.reader_bridge import CardReaderPort, SimulatedReader
from app.ui.ui_thread_gc import collect_on_ui_thread
from app.ui.workers import wait_for_all

if TYPE_CHECKING:
    from app.services.demo import DemoWorld
    from app.services.simulator import GatewaySimulator
    from app.ui.first_run import FirstRunWizard

# What only the demo, the first-run set-up or a key problem needs is imported there: a
# production start loads neither the simulator nor the set-up wizard.
log = logging.getLogger(__name__)


def demo_hint() -> str:
    """The demo accounts, shown on the demo sign-in screen."""
    from app.services.demo import DEMO_OFFICERS, DEMO_PASSWORD

    users = ", ".join(username for username, _name, _role in DEMO_OFFICERS)
    return _("DEMO: sign in as {users} with the password {password}.").format(
        users=users, password=DEMO_PASSWORD
    )


class LazyExamples(Mapping[str, str]):
    """The demo NIKs by outcome, taken from the simulator's population only when first read
    (the training menu exists at once; the population is built on first use)."""

    def __init__(self, simulator: GatewaySimulator) -> None:
        self._simulator = simulator
        self._examples: dict[str, str] | None = None

    def _data(self) -> dict[str, str]:
        if self._examples is None:
            self._examples = self._simulator.population.examples()
        return self._examples

    def __bool__(self) -> bool:
        return True  # there is always one NIK per outcome

    def __getitem__(self, key: str) -> str:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


def demo_window(world: DemoWorld, reader: SimulatedReader | None = None) -> AppWindow:
    """The window over a demo world, with a simulated reader and a demo card."""
    reader = reader or SimulatedReader(demo=True)
    simulator = world.simulator

    def place_card() -> None:
        nik = "3303014505900001"
        fields: dict[str, str] = {}
        if simulator is not None:
            nik = simulator.population.examples()["found"]
            person = simulator.population.get(nik)
            if person is not None:  # the invented resident's own card
                fields = {
                    "name": person.name,
                    "sex": person.sex,
                    "place_of_birth": person.birth_place,
                    "date_of_birth": person.birth_date.strftime("%d-%m-%Y"),
                    "marital_status": person.marital_status,
                    "occupation": person.occupation,
                    "address": person.address,
                }
        reader.tap(nik, **fields)
        QTimer.singleShot(3000, reader.remove)

    # the hint is built again on every language switch
    return AppWindow(
        world.services,
        reader,
        demo_hint=demo_hint,
        demo_card=place_card,
        training_niks=LazyExamples(simulator) if simulator is not None else None,
    )


def production_reader(settings: Settings, secrets: SecretStore) -> CardReaderPort | None:
    """The PC/SC reader service with the configured SAM session, or None when it cannot start
    (no pcscd, no pyscard: the status bar says so and the officer types the NIK)."""
    try:
        from app.reader.controller import ReaderService
        from app.reader_wiring import reader_config, reader_session

        service: CardReaderPort = ReaderService(
            reader_config(settings), reader_session(settings, secrets)
        ).start()
        return service
    except Exception as error:  # any failure means "no reader", never a crash
        log.warning("card reader not started: %s", type(error).__name__)
        return None


def production_services(settings: Settings, core: Core) -> AppServices:
    """The core with the real gateway client (or none in web-portal mode)."""
    gateway = build_gateway(settings, core.secrets)
    return build_services(core, gateway, guidance=guidance_text)


def first_run_wizard() -> FirstRunWizard:
    """The set-up wizard in the person's language (Indonesian unless they chose English)."""
    from app.ui.first_run import FirstRunWizard

    apply_language(user_language())
    return FirstRunWizard()


def first_run() -> tuple[Settings, Core, AppServices] | None:
    """The administrator's set-up; None when cancelled."""
    from app.services.first_run import (
        FirstRunError,
        apply_first_run,
        create_first_officers,
        setup_first_run_keys,
    )

    wizard = first_run_wizard()
    while True:
        if wizard.exec() != QDialog.DialogCode.Accepted or wizard.plan is None:
            return None
        plan = wizard.plan
        try:
            secrets = KeyringSecretStore()
            secrets.check()
            settings = apply_first_run(plan, secrets)
            core = build_core(settings, secrets=secrets, check_keys=False)
            try:
                setup_first_run_keys(core, plan)  # created (new agency) or imported (joining)
                services = production_services(settings, core)
                create_first_officers(services, plan)
            except BaseException:
                core.close()
                raise
            return settings, core, services
        except (FirstRunError, SecretStoreUnavailable, GatewaySetupError, UserFacingError) as error:
            QMessageBox.critical(wizard, "Loket KTP-el", str(getattr(error, "message", error)))
        except Exception as error:  # e.g. an unusable database: a message, then try again
            message = user_message(error)
            if message is None:
                raise
            QMessageBox.critical(wizard, "Loket KTP-el", message)


def show_crash(reference: str) -> None:
    """Tell the person an unexpected error happened, with the crash record's reference."""
    QMessageBox.critical(None, "Loket KTP-el", _(UNEXPECTED).format(reference=reference))


def qt_message_handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Toolkit messages go to the masked log; a critical or fatal one leaves a crash record."""
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        write_message_record(f"qt {kind.name}", message)
    elif kind is QtMsgType.QtWarningMsg:
        log.warning("qt: %s", message)
    else:
        log.debug("qt: %s", message)


def install_crash_handlers() -> None:
    """``sys.excepthook`` and the Qt message handler: nothing unexpected goes unrecorded."""
    install_excepthook(show_crash)
    qInstallMessageHandler(qt_message_handler)


def startup_failed(error: Exception) -> int:
    """A dialog for a start-up failure (a known one says what to do); exit status 2."""
    message = user_message(error)
    if message is None:
        reference = write_crash_record(type(error), error, error.__traceback__)
        message = _(UNEXPECTED).format(reference=reference)
    QMessageBox.critical(None, "Loket KTP-el", message)
    return 2


def production_core(settings: Settings) -> Core | None:
    """The core of a configured counter; while its keys are missing or different, the
    refusal dialog offers the way out (import the agency's key bundle). None: given up."""
    secrets = KeyringSecretStore()
    while True:
        try:
            return build_core(settings, secrets=secrets)
        except KeyProblem as problem:
            log.warning("start refused: %s", problem.detail)

            def import_bundle(data: bytes, passphrase: str) -> object:
                from app.services.key_admin import import_bundle_for

                return import_bundle_for(settings, secrets, data, passphrase, actor="gui")

            dialog = KeyProblemDialog(problem, import_bundle)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None


def announce_demo_state(data_dir: Path, world: DemoWorld) -> None:
    """Write the demo's state file (0600) and say where it is: the supervisor tools read it."""
    from app.services.demo_state import write_demo_state
    from app.services.secrets import MemorySecretStore

    core = world.services.core
    if not isinstance(core.secrets, MemorySecretStore):
        return
    url = core.engine.url.render_as_string(hide_password=True)
    path = write_demo_state(data_dir, url, core.secrets)
    print(
        f"Demo state: {path}\n"
        "Supervisor tools on this demo: loket report --demo …, loket audit --demo verify, "
        "loket balikan --demo status",
        flush=True,
    )


def run_gui(mode: str, quit_after_ms: int | None = None) -> int:
    """Start the application in ``mode`` (``demo`` or ``production``)."""
    if mode == "demo":  # the sign-in window first, the demo built behind it
        from app.ui.demo_start import run_demo

        return run_demo(quit_after_ms)
    configure_logging()
    install_crash_handlers()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    collector = collect_on_ui_thread(app)
    try:
        return run_counter(app, quit_after_ms)
    finally:
        collector.stop()  # every Qt object of the counter is gone: one last collection


def run_counter(app: QApplication, quit_after_ms: int | None = None) -> int:
    """Open the configured counter (or the first-run set-up) and run it until it quits."""
    try:
        if not is_configured():
            built = first_run()
            if built is None:
                return 3
            _settings, core, services = built
        else:
            settings = load_settings()
            opened = production_core(settings)
            if opened is None:
                return 2
            core = opened
            services = production_services(settings, core)
    except Exception as error:  # unusable settings, database, keyring or certificate
        return startup_failed(error)
    reader = production_reader(services.core.settings, core.secrets)
    window = AppWindow(services, reader)
    if services.balikan is not None:
        services.balikan.start_background()
    window.show()
    screens_import = import_counter_screens_ahead()  # the case screen is built at sign-in
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
        QTimer.singleShot(quit_after_ms, app.quit)
    try:
        return app.exec()
    finally:
        drop_pending_quit(app)
        screens_import.join()
        if window.built_case_screen is not None:
            window.built_case_screen.release()
        wait_for_all(5000)
        if services.balikan is not None:
            services.balikan.stop()
        if reader is not None:
            reader.stop()  # no reader event is emitted towards the window after this
        core.close()
        # the window goes now, on the UI thread, while the application object exists
        if shiboken6.isValid(window):
            shiboken6.delete(window)
