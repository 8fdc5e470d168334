"""The counter's single window: sign-in, the case screen, officer admin, status bar, banners.

The sign-in screen is built with the window; the case screen and the officers' screen are
built at the first sign-in (and the administrator's first visit): signing in is possible
sooner, and a window nobody signs in to never pays for them.
"""

from __future__ import annotations

import html
import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.agreement_term import TermPhase
from app.domain.i18n import _
from app.domain.quota_rules import QuotaLevel
from app.services.app_core import AppServices, StatusSnapshot
from app.services.cases import ReturnedCase
from app.services.officers import OfficerView, Role
from app.services.settings import SettingsError, save_user_language
from app.ui.i18n import apply_language
from app.ui.idle_lock import IdleWatcher
from app.ui.login import LoginScreen
from app.ui.password_dialog import PasswordChangeDialog
from app.ui.qt_strings import install_qt_strings
from app.ui.reader_bridge import CardReaderPort, ReaderBridge
from app.ui.status_bar import CounterStatusBar
from app.ui.workers import Task, run_task

if TYPE_CHECKING:  # built (and imported) at the first sign-in
    from app.ui.case.case_screen import CaseScreen
    from app.ui.officers_admin import OfficersAdmin

log = logging.getLogger(__name__)

STATUS_REFRESH_MS = 15_000


def banner_texts(snapshot: StatusSnapshot, end_text: str) -> list[tuple[str, bool]]:
    """(text, serious) reminders the officer must see: lock-outs, quota, agreement term."""
    notes: list[tuple[str, bool]] = []
    for lockout in snapshot.lockouts:
        text = lockout.message
        if lockout.needs_administrator:
            text += " " + _(
                "The administrator clears the block under Officers and access (Ctrl+Shift+O)."
            )
        notes.append((text, True))
    level = snapshot.quota.level()
    left = snapshot.quota.left
    if level is QuotaLevel.EXHAUSTED and not any(
        lk.kind == "quota_exhausted" for lk in snapshot.lockouts
    ):
        notes.append(
            (
                _(
                    "Today's lookup quota is used up: no more lookups until tomorrow. Ask "
                    "applicants to come back tomorrow and tell your supervisor."
                ),
                True,
            )
        )
    elif level in (QuotaLevel.WARNING, QuotaLevel.CRITICAL):
        notes.append(
            (
                _(
                    "Only {left} lookups are left today. Use them only for applicants at the "
                    "counter, and tell your supervisor."
                ).format(left=left),
                level is QuotaLevel.CRITICAL,
            )
        )
    phase = snapshot.term.phase
    if phase is TermPhase.RENEWAL_DUE:
        notes.append(
            (
                _(
                    "The cooperation agreement (PKS) ends in {days} days, on {end}. The "
                    "administrator must request its renewal from Dinas Dukcapil now (at least "
                    "2 months before the end)."
                ).format(days=snapshot.term.days_left, end=end_text),
                False,
            )
        )
    elif phase is TermPhase.RENEWAL_REQUESTED and snapshot.renewal_limit is not None:
        notes.append(
            (
                _(
                    "The cooperation agreement (PKS) ended on {end}. Its renewal was requested "
                    "(letter {letter}); service continues under the SPTJM until the addendum "
                    "is signed, at the latest until {limit}. After that day every lookup and "
                    "card read stops."
                ).format(
                    end=end_text,
                    letter=snapshot.renewal_letter,
                    limit=f"{snapshot.renewal_limit:%d-%m-%Y}",
                ),
                True,
            )
        )
    elif phase in (TermPhase.ENDED, TermPhase.NOT_STARTED):
        notes.append(
            (
                _(
                    "The cooperation agreement (PKS) is not in force today, so no lookups are "
                    "allowed. The administrator must renew the agreement with Dinas Dukcapil."
                ),
                True,
            )
        )
    return notes


def _import_counter_screens() -> None:
    try:
        import app.ui.case.case_screen  # noqa: F401 - loaded, nothing is built
    except Exception as error:  # the sign-in imports it again and reports what is wrong
        log.warning("case screen not imported ahead: %s", type(error).__name__)


def import_counter_screens_ahead() -> threading.Thread:
    """Import the case screen's modules on a worker thread (no widget is made there), started
    once the sign-in window is usable: the first sign-in then only builds the screen. The
    caller joins the thread before the application ends."""
    thread = threading.Thread(
        target=_import_counter_screens, name="counter-screens-import", daemon=True
    )
    thread.start()
    return thread


def close_open_dialogs(window: QWidget) -> None:
    """A lock closes every dialog over the window: nothing is confirmed behind the lock."""
    for dialog in window.findChildren(QDialog):
        if dialog.isVisible():
            dialog.reject()
    modal = QApplication.activeModalWidget()
    if modal is not None and modal is not window:
        modal.close()


class AppWindow(QMainWindow):
    """One window for the whole counter."""

    languageSwitched = Signal(str)

    def __init__(
        self,
        services: AppServices,
        reader: CardReaderPort | None = None,
        *,
        demo_hint: str | Callable[[], str] = "",
        demo_card: Callable[[], None] | None = None,
        training_niks: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        install_qt_strings()
        self.services = services
        self.settings = services.core.settings
        self.demo = self.settings.is_demo
        self.demo_hint = demo_hint
        self.demo_card = demo_card
        self.training_niks = training_niks if self.demo else None
        self.training_dialog: QDialog | None = None
        self.officer: OfficerView | None = None
        self.bridge = ReaderBridge(reader, self)
        self.idle = IdleWatcher(self.settings.ui.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock)
        self.status = CounterStatusBar(self)
        self.setStatusBar(self.status)
        self.status.sam_required = True
        self.bridge.readerEvent.connect(self.status.show_reader)
        self.timer = QTimer(self)
        self.timer.setInterval(STATUS_REFRESH_MS)
        self.timer.timeout.connect(self.refresh_status)
        self.timer.start()
        self.password_dialog: PasswordChangeDialog | None = None
        self.status_task: Task | None = None
        self._status_again = False
        # Cases left open by a crash or power loss: read off the UI thread at every sign-in.
        self.interrupted: list[ReturnedCase] = []
        self.interrupted_task: Task | None = None
        self.interrupted_box: QMessageBox | None = None
        self.resize(1366, 740)
        self._build()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        title = "Loket KTP-el — " + self.settings.agency.name
        self.setWindowTitle(title + (" — DEMO" if self.demo else ""))
        old = self.centralWidget()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.login = LoginScreen(
            self.services.officers.authenticate,
            demo=self.demo,
            agency=self.settings.agency.name,
            demo_hint=self.demo_hint() if callable(self.demo_hint) else self.demo_hint,
        )
        # built when first needed (see the module docstring); a language switch (signed
        # out) rebuilds the window, and they are built again at the next sign-in
        self._case_screen: CaseScreen | None = None
        self._admin: OfficersAdmin | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self.login)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 4, 8, 4)
        if self.demo:
            demo = QLabel(
                _("DEMO — simulated gateway and invented residents; nothing here is real.")
            )
            demo.setObjectName("demoBanner")
            demo.setStyleSheet(
                "background:#6a1b9a; color:white; font-weight:bold; padding:3px 8px;"
            )
            layout.addWidget(demo)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        if old is not None:
            old.deleteLater()
        self.login.signedIn.connect(self._signed_in)
        self.login.languageChanged.connect(self.switch_language)
        self._build_menus()
        self.status.show_reader(self.bridge.last if self.bridge.available else None)
        self.refresh_status()
        self.show_login()

    @property
    def case_screen(self) -> CaseScreen:
        """The case screen, built on first use (the first sign-in)."""
        if self._case_screen is None:
            from app.ui.case.case_screen import CaseScreen

            screen = CaseScreen(self.services, self.bridge)
            screen.statusChanged.connect(self.refresh_status)
            screen.linkResult.connect(self._link)
            self.stack.addWidget(screen)
            self._case_screen = screen
        return self._case_screen

    @property
    def built_case_screen(self) -> CaseScreen | None:
        """The case screen if it was built, without building it (None before any sign-in)."""
        return self._case_screen

    @property
    def admin(self) -> OfficersAdmin:
        """The officers' screen, built on first use (an administrator opens it)."""
        if self._admin is None:
            from app.ui.officers_admin import OfficersAdmin

            admin = OfficersAdmin(self.services)
            admin.done.connect(self.show_counter)
            admin.statusChanged.connect(self.refresh_status)
            self.stack.addWidget(admin)
            self._admin = admin
        return self._admin

    def _cancel_case(self) -> None:
        """Counter ▸ Cancel case (the case screen asks first)."""
        if self._case_screen is not None:
            self._case_screen.cancel()

    def _action(self, menu_text: str, shortcut: str, slot: Callable[[], None]) -> QAction:
        action = QAction(menu_text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        for action in self.actions():
            self.removeAction(action)
        counter = bar.addMenu(_("&Counter"))
        self.new_case_action = self._action(_("&New case"), "Ctrl+N", self.new_case)
        self.cancel_action = self._action(_("&Cancel case"), "", self._cancel_case)
        self.lock_action = self._action(_("&Lock screen"), "Ctrl+L", self.lock)
        self.password_action = self._action(
            _("Change &password…"), "", lambda: self.change_password(forced=False)
        )
        self.sign_out_action = self._action(_("Sign &out"), "Ctrl+Shift+Q", self.sign_out)
        self.quit_action = self._action(_("&Quit"), "Ctrl+Q", self.quit)
        for action in (self.new_case_action, self.cancel_action, self.lock_action):
            counter.addAction(action)
        counter.addSeparator()
        counter.addAction(self.password_action)
        counter.addAction(self.sign_out_action)
        counter.addAction(self.quit_action)
        reports = bar.addMenu(_("R&eports"))
        self.daily_report_action = self._action(
            _("&Daily usage summary…"), "", lambda: self.show_report("daily")
        )
        self.semester_report_action = self._action(
            _("&Semester usage report…"), "", lambda: self.show_report("semester")
        )
        self.subject_action = self._action(
            _("Record of processing for a &resident…"), "", self.show_processing_record
        )
        self.period_report_action = self._action(
            _("Reports for a &period and submissions…"), "", self.show_supervisor_reports
        )
        reports.addAction(self.daily_report_action)
        reports.addAction(self.semester_report_action)
        reports.addAction(self.period_report_action)
        self.incidents_action = self._action(
            _("Personal-data &incidents…"), "", self.show_incidents
        )
        reports.addAction(self.incidents_action)
        self.waiting_cases_action = self._action(
            _("Returned and interrupted &cases…"), "", self.show_waiting_cases
        )
        reports.addAction(self.waiting_cases_action)
        reports.addSeparator()
        reports.addAction(self.subject_action)
        admin = bar.addMenu(_("Ad&ministration"))
        self.admin_action = self._action(_("&Officers and access"), "Ctrl+Shift+O", self.show_admin)
        admin.addAction(self.admin_action)
        self.diagnostics_action = self._action(_("&Diagnostics"), "", self.show_diagnostics)
        admin.addAction(self.diagnostics_action)
        self.tap_action: QAction | None = None
        self.training_action: QAction | None = None
        if self.demo and (self.demo_card is not None or self.training_niks):
            demo = bar.addMenu(_("Training"))  # no mnemonic: Alt+D is "Documents"
            if self.training_niks:
                self.training_action = self._action(
                    _("Demo NIKs by outcome…"), "", self.show_training_niks
                )
                demo.addAction(self.training_action)
            if self.demo_card is not None:
                self.tap_action = self._action(
                    _("Place a demo KTP-el on the reader"), "Ctrl+T", self.demo_card
                )
                demo.addAction(self.tap_action)

    def show_training_niks(self) -> None:
        """Demo: the invented NIKs to type, one per outcome."""
        if not self.training_niks:
            return
        from app.ui.training import TrainingNiksDialog

        self.training_dialog = TrainingNiksDialog(self.training_niks, self)
        self.training_dialog.open()

    def show_report(self, kind: str) -> None:
        """Supervisors: the day's summary or the semester report, previewed and printable."""
        if self.officer is None:
            return
        from app.ui.reports_dialog import open_report

        self.report_dialog = open_report(self, self.services, self.officer, kind)

    def show_supervisor_reports(self) -> None:
        """Supervisors: a report for any period, CSV/XLSX, the due reminder, submissions."""
        if self.officer is None:
            return
        from app.ui.supervisor_reports import SupervisorReportsDialog

        self.supervisor_dialog = SupervisorReportsDialog(self.services, self.officer, self)
        self.supervisor_dialog.finished.connect(lambda _r: self.refresh_status())
        self.supervisor_dialog.open()

    def show_incidents(self) -> None:
        """Supervisors: the incident register, the 3×24-hour countdown, the notice draft."""
        if self.officer is None:
            return
        from app.ui.incidents import IncidentsDialog

        self.incidents_dialog = IncidentsDialog(self.services, self.officer, self)
        self.incidents_dialog.open()

    def show_waiting_cases(self) -> None:
        """Supervisors: close returned cases early and interrupted ones from any counter."""
        if self.officer is None:
            return
        from app.ui.waiting_cases import WaitingCasesDialog

        self.waiting_dialog = WaitingCasesDialog(self.services, self.officer, self)
        self.waiting_dialog.finished.connect(lambda _r: self.refresh_status())
        self.waiting_dialog.open()

    def show_processing_record(self) -> None:
        """Supervisors: answer a resident's request for the record of processing (R-28)."""
        if self.officer is None:
            return
        from app.ui.reports_dialog import open_processing_record

        nik, ok = self.ask_text(
            _("Record of processing"),
            _("The resident's NIK (from the KTP-el the resident shows):"),
        )
        if ok and nik.strip():
            self.report_dialog = open_processing_record(self, self.services, self.officer, nik)

    def ask_text(self, title: str, label: str) -> tuple[str, bool]:
        """A one-line question (replaceable in tests)."""
        from PySide6.QtWidgets import QInputDialog

        return QInputDialog.getText(self, title, label)

    def switch_language(self, language: str) -> None:
        """Install the language and rebuild every text (only possible while signed out)."""
        if self.officer is not None:
            return
        apply_language(language)
        install_qt_strings()
        try:
            save_user_language(language)
        except (OSError, SettingsError) as error:  # the choice still applies to this session
            log.warning("language choice not saved: %s", type(error).__name__)
        self._build()
        self.languageSwitched.emit(language)

    # ------------------------------------------------------------------ status
    def refresh_status(self) -> None:
        """Status bar and banners from a fresh snapshot (counts only), read off the UI thread.

        While one refresh is still waiting for the database, another request is remembered and
        runs when it ends: a slow or stalled database never freezes the window.
        """
        self._daily_purge()
        if self.status_task is not None and self.status_task.waiting:
            self._status_again = True
            return
        self._status_again = False
        services = self.services
        supervisor = self.officer is not None and self.officer.role is Role.SUPERVISOR

        def read() -> tuple[StatusSnapshot, object]:
            snapshot = services.status()
            reminder: object = None
            if supervisor:
                try:
                    reminder = services.reports.reminder()
                except Exception as error:  # the reminder must not break the status refresh
                    log.warning("report reminder failed: %s", type(error).__name__)
            return snapshot, reminder

        self.status.set_loading(True)
        self.status_task = run_task(self, read, self._show_status, self._status_failed)

    def _status_settled(self) -> None:
        self.status_task = None
        self.status.set_loading(False)
        if self._status_again:
            self.refresh_status()

    def _status_failed(self, error: Exception) -> None:
        # a locked or unreachable database must not crash the window
        log.warning("status refresh failed: %s", type(error).__name__)
        self._status_settled()

    def _show_status(self, result: tuple[StatusSnapshot, object]) -> None:
        snapshot, reminder = result
        self._status_settled()
        self.status.show_snapshot(snapshot)
        end = self.settings.agreement.end
        notes = banner_texts(snapshot, end.strftime("%d-%m-%Y") if end else "")
        if reminder is not None and self.officer is not None:
            from app.ui.supervisor_reports import reminder_text

            due = reminder_text(reminder)  # type: ignore[arg-type]
            if due:
                notes.append((due, False))
        if notes:
            serious = any(flag for _t, flag in notes)
            self.banner.setText("<br>".join(html.escape(text) for text, _f in notes))
            self.banner.setStyleSheet(
                "background:#ffebee; border:1px solid #c62828; padding:6px;"
                if serious
                else "background:#fff8e1; border:1px solid #f9a825; padding:6px;"
            )
            self.banner.show()
        else:
            self.banner.clear()
            self.banner.hide()

    def _daily_purge(self) -> None:
        """Retention and returned cases: at start-up and once a day, in the worker pool."""
        today = self.services.clock().date()
        if getattr(self, "_purged_on", None) == today:
            return
        self._purged_on = today
        from app.services.retention import purge_if_due

        services = self.services
        run_task(
            self,
            lambda: purge_if_due(
                services.core.sessions,
                services.audit,
                services.core.settings.retention,
                services.clock(),
            ),
            lambda _result: None,
            lambda error: log.warning("retention purge failed: %s", type(error).__name__),
        )
        # returned cases whose applicant did not come back end, and release what they owe
        run_task(
            self,
            services.returned.expire,
            lambda closed: self._balikan_released(bool(closed)),
            lambda error: log.warning("returned cases not ended: %s", type(error).__name__),
        )

    def _balikan_released(self, released: bool) -> None:
        """Cases ended in the background: wake the sender for what they released."""
        if released and self.services.balikan is not None:
            self.services.balikan.wake()

    def _link(self, ok: object) -> None:
        self.status.link_ok = bool(ok)
        self.refresh_status()

    # ------------------------------------------------------------------ screens
    def _signed_in_actions(self, signed_in: bool) -> None:
        for action in (
            self.new_case_action,
            self.cancel_action,
            self.lock_action,
            self.password_action,
            self.sign_out_action,
        ):
            action.setEnabled(signed_in)
        is_admin = bool(self.officer and self.officer.role is Role.ADMINISTRATOR)
        may_report = bool(self.officer and self.officer.has_role(Role.SUPERVISOR))
        self.daily_report_action.setEnabled(signed_in and may_report)
        self.semester_report_action.setEnabled(signed_in and may_report)
        self.subject_action.setEnabled(signed_in and may_report)
        self.period_report_action.setEnabled(signed_in and may_report)
        self.incidents_action.setEnabled(signed_in and may_report)
        self.waiting_cases_action.setEnabled(signed_in and may_report)
        self.admin_action.setEnabled(signed_in and is_admin)
        self.diagnostics_action.setEnabled(signed_in and is_admin)
        if self.tap_action is not None:
            self.tap_action.setEnabled(signed_in)

    def show_login(self, locked_for: OfficerView | None = None) -> None:
        """The sign-in (or unlock) screen."""
        self.stack.setCurrentWidget(self.login)
        self.login.reset(locked_for)
        if locked_for is None:
            self.status.show_officer("")
        self._signed_in_actions(False)

    def _signed_in(self, officer: OfficerView) -> None:
        if self.login.locked_for is not None and officer.username != self.login.locked_for:
            return
        if officer.must_change_password and self.officer is None:
            self._force_password_change(officer)  # nothing else until a new password is set
            return
        unlocking = self.officer is not None and self.officer.id == officer.id
        self.officer = officer
        self.case_screen.set_officer(officer)
        roles = {
            Role.OFFICER: _("officer"),
            Role.SUPERVISOR: _("supervisor"),
            Role.ADMINISTRATOR: _("administrator"),
        }
        self.status.show_officer(
            _("Signed in: {name} ({role})").format(
                name=officer.display_name, role=roles[officer.role]
            )
        )
        self._signed_in_actions(True)
        self.idle.start()
        self.show_counter()
        if unlocking:
            self.case_screen.resume_after_unlock()
        else:
            self.case_screen.start_new()
        if not unlocking:
            # open cases of this counter with no screen: left by a crash, or by a sign-out
            self._read_interrupted(officer)
        if not officer.may_serve:
            self.case_screen._say(
                _(
                    "No signed confidentiality statement (NDA) is on file for this officer, "
                    "so lookups are not allowed. The administrator records the NDA date and "
                    "reference."
                ),
                error=True,
            )
        self.refresh_status()

    def _read_interrupted(self, officer: OfficerView) -> None:
        """List this counter's interrupted cases off the UI thread, then offer them."""

        def listed(cases: list[ReturnedCase]) -> None:
            self.interrupted_task = None
            self.interrupted = list(cases)
            if self.interrupted and self.officer is not None and self.officer.id == officer.id:
                self._offer_interrupted(officer)

        def failed(error: Exception) -> None:  # a database problem must not stop the sign-in
            self.interrupted_task = None
            log.warning("interrupted cases not listed: %s", type(error).__name__)

        self.interrupted_task = run_task(
            self, self.services.cases.interrupted_cases, listed, failed
        )

    def _offer_interrupted(self, officer: OfficerView) -> None:
        """Cases interrupted by a crash: cancel them so the data balikan they owe is sent."""
        numbers = ", ".join(case.number for case in self.interrupted)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Interrupted cases"),
            _(
                "{count} case(s) were still open when the application stopped last time "
                "({numbers}). Their screens are gone; cancel them now so that the data "
                "balikan they owe is sent. The applicant can start a new case."
            ).format(count=len(self.interrupted), numbers=numbers),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(_("Cancel them &now"))
        box.button(QMessageBox.StandardButton.No).setText(_("&Later"))
        self.interrupted_box = box

        cases_service = self.services.cases

        def cancel_all(cases: list[ReturnedCase]) -> list[ReturnedCase]:
            left: list[ReturnedCase] = []
            for case in cases:
                try:
                    cases_service.cancel_interrupted(officer, case.number, "")
                except Exception as error:  # one failure must not lose the others
                    log.warning("interrupted case not cancelled: %s", type(error).__name__)
                    left.append(case)
            return left

        def cancelled(left: list[ReturnedCase]) -> None:
            self.interrupted = left
            self.status.showMessage("")
            self.refresh_status()

        def failed(error: Exception) -> None:
            log.warning("interrupted cases not cancelled: %s", type(error).__name__)
            self.refresh_status()

        def answered(button: int) -> None:
            if button != QMessageBox.StandardButton.Yes:
                return
            cases = list(self.interrupted)
            self.status.showMessage(_("Working…"))
            run_task(self, lambda: cancel_all(cases), cancelled, failed)

        box.finished.connect(lambda result: answered(box.result()))
        box.open()

    def _open_password_dialog(self, officer: OfficerView, *, forced: bool) -> PasswordChangeDialog:
        if self.password_dialog is not None:
            self.password_dialog.deleteLater()
        dialog = PasswordChangeDialog(
            officer, self.services.officers.change_password, forced=forced, parent=self
        )
        self.password_dialog = dialog
        return dialog

    def _force_password_change(self, officer: OfficerView) -> None:
        """A new account or a reset: the officer sets a new password, or is signed out."""
        self.login.sign_in.setEnabled(False)
        dialog = self._open_password_dialog(officer, forced=True)
        dialog.finished.connect(lambda result: self._forced_change_done(dialog, result))
        dialog.open()

    def _forced_change_done(self, dialog: PasswordChangeDialog, result: int) -> None:
        self.login.sign_in.setEnabled(True)
        dialog.clear()
        changed = dialog.changed
        if result == QDialog.DialogCode.Accepted and changed is not None:
            self._signed_in(changed)
            self.status.showMessage(_("Your new password is set."), 8000)
            return
        self.sign_out()
        self.login.error.setText(
            _("Signed out: set a new password at sign-in before working at the counter.")
        )

    def change_password(self, *, forced: bool = False) -> None:
        """Counter ▸ Change password: the signed-in officer sets a new password."""
        officer = self.officer
        if officer is None:
            return
        dialog = self._open_password_dialog(officer, forced=forced)

        def done(result: int) -> None:
            dialog.clear()
            if result == QDialog.DialogCode.Accepted and dialog.changed is not None:
                self.officer = dialog.changed
                self.case_screen.set_officer(dialog.changed)
                self.status.showMessage(_("Your new password is set."), 8000)

        dialog.finished.connect(done)
        dialog.open()

    def show_counter(self) -> None:
        """The case screen."""
        if self.officer is None:
            return
        self.stack.setCurrentWidget(self.case_screen)

    def show_diagnostics(self) -> None:
        """Administrators: the doctor's lines (versions, secrets set, database, TLS, reader)."""
        if self.officer is None or self.officer.role is not Role.ADMINISTRATOR:
            return
        from app.ui.diagnostics import DiagnosticsDialog

        self.diagnostics_dialog = DiagnosticsDialog(self.services, self)
        self.diagnostics_dialog.open()

    def show_admin(self) -> None:
        """Officers and access (administrators)."""
        if self.officer is None or self.officer.role is not Role.ADMINISTRATOR:
            return
        if self.case_screen.case is not None:
            self.case_screen.release()
        self.admin.show_for(self.officer)
        self.stack.setCurrentWidget(self.admin)

    def new_case(self) -> None:
        """Ctrl+N: the new-case page (an open case must be finished or cancelled first)."""
        if self.officer is None:
            return
        self.show_counter()
        if self.case_screen.case is None:
            self.case_screen.start_new()

    def lock(self) -> None:
        """Idle or Ctrl+L: clear the screen and the case's population data; ask the password."""
        if self.officer is None or self.stack.currentWidget() is self.login:
            return
        self.idle.stop()
        close_open_dialogs(self)
        self.case_screen.release()
        self.show_login(locked_for=self.officer)
        self.sign_out_action.setEnabled(True)
        self.status.show_officer(_("Locked"))

    def sign_out(self) -> None:
        """End the session (the open case keeps its state, without population data)."""
        close_open_dialogs(self)
        screen = self._case_screen  # none yet when a forced password change was refused
        if screen is not None:
            screen.release()
            screen.case = None
            screen.set_officer(None)
        self.officer = None
        self.idle.stop()
        self.show_login()

    def quit(self) -> None:
        """Ctrl+Q: close the window (wipes first); with a case open, asks once."""
        if self._confirm_quit():
            self._quit_confirmed = True
            self.close()

    def _confirm_quit(self) -> bool:
        screen = self._case_screen
        case = screen.case if screen is not None else None
        if screen is None or case is None:
            return True
        return screen.confirm(
            _("Quit"),
            _(
                "Case {number} is still open. Quit anyway? The case stays open and its "
                "data is cleared from the screen."
            ).format(number=case.number),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Quit: wipe before the window goes (the window's own close button asks too)."""
        asked = getattr(self, "_quit_confirmed", False)
        if event.spontaneous() and not asked and not self._confirm_quit():
            event.ignore()
            return
        if self._case_screen is not None:
            self._case_screen.release()
            self._case_screen.case = None
        self.idle.shutdown()
        self.timer.stop()
        super().closeEvent(event)
