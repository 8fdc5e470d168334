"""The case screen's small dialogs and its refusal text (replaceable in tests)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QMessageBox,
    QWidget,
)

from app.domain.i18n import N_, _
from app.services.cases import NikCorrection
from app.ui.case.override_dialog import OverrideDialog


def error_text(error: BaseException) -> str:
    """The translated message of a core refusal (never the raw exception text)."""
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:
        return message
    user = getattr(error, "user_message", None)
    if isinstance(user, str) and user:
        return user
    return _(
        "Something went wrong ({error}). Try again; if it repeats, call the administrator."
    ).format(error=type(error).__name__)


def ask_override(parent: QWidget, refusal: str) -> tuple[str, str, str] | None:
    """Show the supervisor dialog; None when cancelled."""
    dialog = OverrideDialog(refusal, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answers()


def ask_confirm(parent: QWidget, title: str, question: str) -> bool:
    """A yes/no question, "no" by default."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


#: Why a different NIK is checked in the same case, as offered to the officer.
CORRECTION_LABELS: dict[NikCorrection, str] = {
    NikCorrection.TYPING_ERROR: N_("The NIK was mistyped"),
    NikCorrection.OTHER_DOCUMENT: N_("The NIK was taken from another document"),
}


def ask_correction(parent: QWidget) -> NikCorrection | None:
    """Why the NIK is corrected (a fixed list); None when cancelled."""
    options = [_(label) for label in CORRECTION_LABELS.values()]
    text, ok = QInputDialog.getItem(
        parent,
        _("Correct the NIK"),
        _(
            "This NIK differs from the one already checked in this case. Checking it is a "
            "new lookup that counts against today's quota. Why is it corrected?"
        ),
        options,
        0,
        False,
    )
    if not ok:
        return None
    return list(CORRECTION_LABELS)[options.index(text)]


def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    """A one-line reason; None when cancelled."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None
