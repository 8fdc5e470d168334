"""First-run set-up for the administrator (``loket run`` on an unconfigured PC)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.i18n import _
from app.domain.resource_files import resources_dir
from app.services.dukcapil import load_profiles
from app.services.dukcapil.tls import certificate_sha256
from app.services.first_run import FirstOfficer, FirstRunError, FirstRunPlan, validate_plan
from app.services.officers import Role
from app.ui.qt_strings import install_qt_strings


def _pydate(edit: QDateEdit) -> date:
    qd = edit.date()
    return date(qd.year(), qd.month(), qd.day())


def _page(title: str, subtitle: str) -> tuple[QWizardPage, QFormLayout]:
    page = QWizardPage()
    page.setTitle(title)
    page.setSubTitle(subtitle)
    return page, QFormLayout(page)


class FirstRunWizard(QWizard):
    """Agency, agreement, access, endpoints, certificate, secrets, first officers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        install_qt_strings()
        self.setWindowTitle(_("Loket KTP-el — first-run set-up"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.resize(900, 640)
        self.plan: FirstRunPlan | None = None
        self.certificate_pem = ""
        self.pick_file: Callable[[], str] = self._pick_file

        page, form = _page(
            _("Agency and counter"),
            _("The user agency (OPD) that signed the cooperation agreement (PKS)."),
        )
        self.id_lembaga = QLineEdit()
        self.id_lembaga.setObjectName("idLembaga")
        self.id_lembaga.setInputMask("999999")
        self.agency_name = QLineEdit()
        self.agency_name.setObjectName("agencyName")
        self.agency_address = QLineEdit()
        self.programmes = QLineEdit()
        self.programmes.setObjectName("programmes")
        self.programmes.setPlaceholderText(_("Comma-separated, e.g. PKH, BPNT, PBI"))
        self.counter_id = QLineEdit("LOKET-1")
        self.counter_id.setObjectName("counterId")
        form.addRow(_("Agency id (id_lembaga, 6 digits)"), self.id_lembaga)
        form.addRow(_("Agency name"), self.agency_name)
        form.addRow(_("Agency address"), self.agency_address)
        form.addRow(_("Programmes / services"), self.programmes)
        form.addRow(_("Counter id"), self.counter_id)
        self.addPage(page)

        page, form = _page(
            _("Database and keys"),
            _(
                "The first counter of an agency creates the agency's keys. A further counter "
                "joins the agency's shared database with the key bundle exported on a counter "
                "that works (loket keys export)."
            ),
        )
        self.new_agency = QRadioButton(_("New agency: create the keys on this counter"))
        self.new_agency.setObjectName("newAgency")
        self.new_agency.setChecked(True)
        self.join_agency = QRadioButton(
            _("Join an existing agency database (import the agency's key bundle)")
        )
        self.join_agency.setObjectName("joinAgency")
        self.database_url = QLineEdit()
        self.database_url.setObjectName("databaseUrl")
        self.database_url.setPlaceholderText("postgresql://loket@10.0.0.5/loket")
        self.bundle_button = QPushButton(_("Choose the key bundle…"))
        self.bundle_label = QLabel(_("No key bundle chosen."))
        self.bundle_label.setWordWrap(True)
        self.bundle_passphrase = QLineEdit()
        self.bundle_passphrase.setObjectName("bundlePassphrase")
        self.bundle_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.new_agency)
        form.addRow(self.join_agency)
        form.addRow(_("Shared database (empty: this PC only)"), self.database_url)
        form.addRow(self.bundle_button, self.bundle_label)
        form.addRow(_("Passphrase of the key bundle"), self.bundle_passphrase)
        self.key_bundle: bytes | None = None
        self.pick_bundle: Callable[[], str] = self._pick_bundle
        self.bundle_button.clicked.connect(self._choose_bundle)
        self.addPage(page)

        page, form = _page(
            _("Agreement (PKS)"),
            _("Which elements the agreement permits, its term and its access method."),
        )
        self.profile = QComboBox()
        self.profile.setObjectName("profile")
        for profile in load_profiles(resources_dir()).values():
            self.profile.addItem(profile.name, profile.id)
        self.reference = QLineEdit()
        self.start = QDateEdit(QDate.currentDate())
        self.start.setDisplayFormat("dd-MM-yyyy")
        self.end = QDateEdit(QDate.currentDate().addYears(2))
        self.end.setDisplayFormat("dd-MM-yyyy")
        self.access = QComboBox()
        self.access.setObjectName("accessMethod")
        # nothing chosen: the agreement says which (web service only after the PoC)
        self.access.addItem(_("(choose what the agreement grants)"), "")
        self.access.addItem(_("Web portal (assisted: the officer uses the portal)"), "web_portal")
        self.access.addItem(
            _("Web service (the app queries the gateway, after the PoC)"), "web_service"
        )
        self.access.setCurrentIndex(0)
        self.poc_number = QLineEdit()
        self.poc_number.setObjectName("pocLetterNumber")
        self.poc_date = QDateEdit(QDate.currentDate())
        self.poc_date.setDisplayFormat("dd-MM-yyyy")
        self.portal_url = QLineEdit()
        self.portal_url.setObjectName("portalUrl")
        self.quota = QSpinBox()
        self.quota.setRange(0, 1_000_000)
        self.quota.setValue(200)
        self.quota.setSpecialValueText(_("unlimited"))
        form.addRow(_("Agreement profile"), self.profile)
        form.addRow(_("Agreement reference"), self.reference)
        form.addRow(_("Term starts"), self.start)
        form.addRow(_("Term ends"), self.end)
        form.addRow(_("Access method"), self.access)
        form.addRow(_("PoC result letter number (web service only)"), self.poc_number)
        form.addRow(_("PoC result letter date"), self.poc_date)
        form.addRow(_("Portal address"), self.portal_url)
        form.addRow(_("Daily quota (0 = unlimited)"), self.quota)
        self.addPage(page)

        page, form = _page(
            _("Gateway, certificate and secrets"),
            _(
                "Addresses are configuration; the user id, password and token go to the "
                "system keyring only, never to a file."
            ),
        )
        self.base_url = QLineEdit()
        self.base_url.setObjectName("baseUrl")
        self.base_url.setPlaceholderText("https://172.16.160.177:8443")
        self.consumer_id = QLineEdit()
        self.ip_user = QLineEdit()
        self.allow_http = QCheckBox(
            _("Allow plain http (only where the closed network requires it)")
        )
        self.cert_button = QPushButton(_("Import the gateway certificate…"))
        self.cert_label = QLabel(_("No certificate imported."))
        self.cert_label.setWordWrap(True)
        self.gateway_user = QLineEdit()
        self.gateway_user.setObjectName("gatewayUser")
        self.gateway_password = QLineEdit()
        self.gateway_password.setObjectName("gatewayPassword")
        self.gateway_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.balikan_url = QLineEdit()
        self.balikan_token = QLineEdit()
        self.balikan_token.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(_("Gateway address"), self.base_url)
        form.addRow(_("Consumer id"), self.consumer_id)
        form.addRow(_("Registered client IP"), self.ip_user)
        form.addRow(self.allow_http)
        form.addRow(self.cert_button, self.cert_label)
        form.addRow(_("Gateway user id"), self.gateway_user)
        form.addRow(_("Gateway password"), self.gateway_password)
        form.addRow(_("Data balikan address"), self.balikan_url)
        form.addRow(_("Data balikan token"), self.balikan_token)
        self.cert_button.clicked.connect(self._import_certificate)
        self.addPage(page)

        page, form = _page(
            _("First accounts"),
            _(
                "An administrator, and the first officer with the date and reference of the "
                "signed NDA."
            ),
        )
        self.admin_user = QLineEdit("admin")
        self.admin_user.setObjectName("adminUser")
        self.admin_name = QLineEdit()
        self.admin_password = QLineEdit()
        self.admin_password.setObjectName("adminPassword")
        self.admin_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.officer_user = QLineEdit()
        self.officer_user.setObjectName("officerUser")
        self.officer_name = QLineEdit()
        self.officer_password = QLineEdit()
        self.officer_password.setObjectName("officerPassword")
        self.officer_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.nda_date = QDateEdit(QDate.currentDate())
        self.nda_date.setDisplayFormat("dd-MM-yyyy")
        self.nda_reference = QLineEdit()
        self.nda_reference.setObjectName("ndaReference")
        self.error = QLabel()
        self.error.setObjectName("firstRunError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        form.addRow(_("Administrator user name"), self.admin_user)
        form.addRow(_("Administrator full name"), self.admin_name)
        form.addRow(_("Administrator password"), self.admin_password)
        form.addRow(_("Officer user name (optional)"), self.officer_user)
        form.addRow(_("Officer full name"), self.officer_name)
        form.addRow(_("Officer password"), self.officer_password)
        form.addRow(_("NDA signed on"), self.nda_date)
        form.addRow(_("NDA reference"), self.nda_reference)
        form.addRow(self.error)
        page.validatePage = self._validate  # type: ignore[method-assign]
        self.addPage(page)

    def _pick_file(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Gateway certificate"), "", _("Certificates (*.pem *.crt)")
        )
        return path

    def _pick_bundle(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The agency's key bundle"), "", _("Key bundles (*.json *.loketkeys);;All (*)")
        )
        return path

    def _choose_bundle(self) -> None:
        path = self.pick_bundle()
        if not path:
            return
        try:
            self.key_bundle = Path(path).read_bytes()
        except OSError as error:
            self.bundle_label.setText(
                _("The file cannot be read or written: {detail}").format(detail=error.strerror)
            )
            return
        self.join_agency.setChecked(True)
        self.bundle_label.setText(Path(path).name)

    def _import_certificate(self) -> None:
        path = self.pick_file()
        if not path:
            return
        try:
            pem = Path(path).read_text(encoding="ascii")
            fingerprint = certificate_sha256(pem)
        except (OSError, ValueError, UnicodeDecodeError):
            self.cert_label.setText(_("The certificate file is not a PEM certificate."))
            return
        self.certificate_pem = pem
        self.cert_label.setText(_("Imported; SHA-256 {fp}").format(fp=fingerprint[:32] + "…"))

    def _poc_letter(self) -> dict[str, object]:
        """The PoC result letter, when one was entered."""
        number = self.poc_number.text().strip()
        if not number:
            return {}
        return {"poc_letter_number": number, "poc_letter_date": _pydate(self.poc_date)}

    def build_plan(self) -> FirstRunPlan:
        """The answers as a plan for the core."""
        programmes = [p.strip() for p in self.programmes.text().split(",") if p.strip()]
        admin: dict[str, object] = {
            "counter_id": self.counter_id.text().strip() or "LOKET-1",
            "database_url": self.database_url.text().strip(),
            "agency": {
                "id_lembaga": self.id_lembaga.text().strip(),
                "name": self.agency_name.text().strip(),
                "address": self.agency_address.text().strip(),
                "programmes": programmes,
            },
            "agreement": {
                "profile": self.profile.currentData(),
                "access_method": self.access.currentData(),
                "start": _pydate(self.start),
                "end": _pydate(self.end),
                "portal_url": self.portal_url.text().strip(),
                "reference": self.reference.text().strip(),
                **self._poc_letter(),
            },
            "gateway": {
                "base_url": self.base_url.text().strip(),
                "consumer_id": self.consumer_id.text().strip(),
                "ip_user": self.ip_user.text().strip(),
                "allow_plain_http": self.allow_http.isChecked(),
            },
            "balikan": {"base_url": self.balikan_url.text().strip()},
            "quota": {"daily_limit": self.quota.value()},
        }
        officers = [
            FirstOfficer(
                self.admin_user.text(),
                self.admin_name.text(),
                self.admin_password.text(),
                Role.ADMINISTRATOR,
                _pydate(self.nda_date) if self.nda_reference.text() else None,
                "",
            )
        ]
        if self.officer_user.text().strip():
            officers.append(
                FirstOfficer(
                    self.officer_user.text(),
                    self.officer_name.text(),
                    self.officer_password.text(),
                    Role.OFFICER,
                    _pydate(self.nda_date),
                    self.nda_reference.text(),
                )
            )
        if self.join_agency.isChecked():
            officers = []  # the agency's database already has its accounts
        return FirstRunPlan(
            admin=admin,
            gateway_user=self.gateway_user.text(),
            gateway_password=self.gateway_password.text(),
            balikan_token=self.balikan_token.text(),
            certificate_pem=self.certificate_pem,
            officers=officers,
            key_bundle=(self.key_bundle or b"") if self.join_agency.isChecked() else None,
            bundle_passphrase=self.bundle_passphrase.text(),
        )

    def _validate(self) -> bool:
        plan = self.build_plan()
        try:
            validate_plan(plan)
        except FirstRunError as error:
            self.error.setText(error.message)
            return False
        self.plan = plan
        self.error.clear()
        return True
