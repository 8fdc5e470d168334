"""Qt start-up: demo (simulator, demo officers) or production (first-run set-up, then the core)."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.domain.i18n import _
from app.services.app_core import AppServices, build_services
from app.services.bootstrap import Core, build_core
from app.services.demo import (
    DEMO_OFFICERS,
    DEMO_PASSWORD,
    DemoWorld,
    build_demo,
    make_demo_dir,
)
from app.services.dukcapil import guidance_text
from app.services.first_run import FirstRunError, apply_first_run, create_first_officers
from app.services.gateway_setup import GatewaySetupError, build_gateway
from app.services.logging_setup import configure_logging
from app.services.secrets import (
    KeyringSecretStore,
    SecretMissing,
    SecretStore,
    SecretStoreUnavailable,
)
from app.services.settings import (
    Settings,
    SettingsError,
    is_configured,
    load_settings,
    user_language,
)
from app.ui.app_window import AppWindow
from app.ui.first_run import FirstRunWizard
from app.ui.i18n import apply_language
from app.ui.reader_bridge import CardReaderPort, SimulatedReader
from app.ui.workers import wait_for_all

log = logging.getLogger(__name__)


def demo_hint() -> str:
    """The demo accounts, shown on the demo sign-in screen."""
    users = ", ".join(username for username, _name, _role in DEMO_OFFICERS)
    return _("DEMO: sign in as {users} with the password {password}.").format(
        users=users, password=DEMO_PASSWORD
    )


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
        training_niks=simulator.population.examples() if simulator is not None else None,
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
    apply_language(user_language())
    return FirstRunWizard()


def first_run() -> tuple[Settings, Core, AppServices] | None:
    """The administrator's set-up; None when cancelled."""
    wizard = first_run_wizard()
    while True:
        if wizard.exec() != QDialog.DialogCode.Accepted or wizard.plan is None:
            return None
        plan = wizard.plan
        try:
            secrets = KeyringSecretStore()
            secrets.check()
            settings = apply_first_run(plan, secrets)
            core = build_core(settings, secrets=secrets)
            services = production_services(settings, core)
            create_first_officers(services, plan)
            return settings, core, services
        except (FirstRunError, SecretStoreUnavailable, GatewaySetupError) as error:
            QMessageBox.critical(wizard, "Loket KTP-el", str(getattr(error, "message", error)))


def run_gui(mode: str, quit_after_ms: int | None = None) -> int:
    """Start the application in ``mode`` (``demo`` or ``production``)."""
    configure_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    data_dir: Path | None = None
    if mode == "demo":
        data_dir = make_demo_dir()  # a killed demo's folder is removed here
        world = build_demo(data_dir)
        core = world.services.core
        services = world.services
        window = demo_window(world)
    else:
        try:
            if not is_configured():
                built = first_run()
                if built is None:
                    return 3
                _settings, core, services = built
            else:
                settings = load_settings()
                core = build_core(settings)
                services = production_services(settings, core)
        except SettingsError as error:
            QMessageBox.critical(None, "Loket KTP-el", str(error))
            return 2
        except (SecretStoreUnavailable, SecretMissing, GatewaySetupError) as error:
            QMessageBox.critical(None, "Loket KTP-el", str(getattr(error, "message", error)))
            return 2
        window = AppWindow(services, production_reader(services.core.settings, core.secrets))
    if services.balikan is not None:
        services.balikan.start_background()
    window.show()
    if quit_after_ms is not None:
        QTimer.singleShot(quit_after_ms, window.close)
        QTimer.singleShot(quit_after_ms, app.quit)
    try:
        return app.exec()
    finally:
        window.case_screen.release()
        wait_for_all(5000)
        if services.balikan is not None:
            services.balikan.stop()
        core.close()
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)
