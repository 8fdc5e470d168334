"""The start-up refusal when this counter's keys are missing or different, with the way out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import UserFacingError
from app.domain.i18n import _
from app.services.keys import KeyProblem

# (bundle bytes, passphrase) -> None; raises UserFacingError with a message when refused
ImportBundle = Callable[[bytes, str], object]


class KeyProblemDialog(QDialog):
    """Says why the counter cannot start and offers to import the agency's key bundle."""

    def __init__(
        self, problem: KeyProblem, import_bundle: ImportBundle, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Loket KTP-el — the keys of this counter"))
        self.setObjectName("keyProblemDialog")
        self._import = import_bundle
        self.pick_file: Callable[[], str] = self._pick_file
        self.ask_passphrase: Callable[[], str | None] = self._ask_passphrase
        layout = QVBoxLayout(self)
        self.text = QLabel(problem.message)
        self.text.setObjectName("keyProblemText")
        self.text.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("keyProblemError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        self.import_button = QPushButton(_("Import the agency's key bundle…"))
        self.import_button.setObjectName("importKeyBundle")
        self.import_button.clicked.connect(self.import_bundle)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(self.text)
        layout.addWidget(self.import_button)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(640, 260)

    def _pick_file(self) -> str:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The agency's key bundle"), "", _("Key bundles (*.json *.loketkeys);;All (*)")
        )
        return path

    def _ask_passphrase(self) -> str | None:
        text, ok = QInputDialog.getText(
            self,
            _("The agency's key bundle"),
            _("Passphrase of the key bundle:"),
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    def import_bundle(self) -> None:
        """Pick the bundle, ask its passphrase, import; accept the dialog when it worked."""
        path = self.pick_file()
        if not path:
            return
        passphrase = self.ask_passphrase()
        if passphrase is None:
            return
        try:
            data = Path(path).read_bytes()
            self._import(data, passphrase)
        except OSError as error:
            self.error.setText(
                _("The file cannot be read or written: {detail}").format(detail=error.strerror)
            )
            return
        except UserFacingError as error:
            self.error.setText(error.message)
            return
        self.accept()
