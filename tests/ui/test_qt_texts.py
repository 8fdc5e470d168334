"""Qt's own texts (message boxes, dialog buttons, context menus, print dialog, shortcuts)
are never blank, in Indonesian and in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.ui.i18n import apply_language
from app.ui.qt_strings import install_qt_strings

SB = QDialogButtonBox.StandardButton
ALL_BUTTONS = [
    SB.Ok, SB.Save, SB.SaveAll, SB.Open, SB.Yes, SB.YesToAll, SB.No, SB.NoToAll, SB.Abort,
    SB.Retry, SB.Ignore, SB.Close, SB.Cancel, SB.Discard, SB.Help, SB.Apply, SB.Reset,
    SB.RestoreDefaults,
]  # fmt: skip


@pytest.fixture(params=["id", "en"])
def language(request: pytest.FixtureRequest, qapp: object) -> Iterator[str]:
    apply_language(request.param)
    install_qt_strings()
    yield request.param
    apply_language("id")
    install_qt_strings()


def _visible(text: str) -> str:
    """The menu text without mnemonics, as the officer reads it."""
    return text.replace("&", "").strip()


def test_message_box_buttons_are_labelled(qtbot: QtBot, language: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Question, "Loket KTP-el", "?")
    qtbot.addWidget(box)
    box.setStandardButtons(
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
        | QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Retry
    )  # fmt: skip
    box.setDetailedText("detail")
    texts = [_visible(button.text()) for button in box.buttons()]
    assert len(texts) == 7  # six standard buttons and "Show Details..."
    assert all(len(text) >= 2 for text in texts), texts
    if language == "id":
        assert "Ya" in texts and "Tidak" in texts
    else:
        assert "Yes" in texts and "No" in texts


def test_every_dialog_button_is_labelled(qtbot: QtBot, language: str) -> None:
    box = QDialogButtonBox()
    qtbot.addWidget(box)
    for which in ALL_BUTTONS:
        box.addButton(which)
    for which in ALL_BUTTONS:
        button = box.button(which)
        assert button is not None
        assert len(_visible(button.text())) >= 2, which


def test_line_edit_context_menu_has_words_and_shortcuts(qtbot: QtBot, language: str) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    entries = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert len(entries) == 7  # undo, redo, cut, copy, paste, delete, select all
    labels = [_visible(entry.split("\t")[0]) for entry in entries]
    assert all(len(label) >= 3 for label in labels), labels
    shortcuts = [entry.split("\t")[1] for entry in entries if "\t" in entry]
    assert len(shortcuts) == 6 and all(s.startswith("Ctrl+") for s in shortcuts), shortcuts


def test_menu_shortcuts_show_their_modifier(qtbot: QtBot, language: str) -> None:
    for sequence in ("Ctrl+N", "Ctrl+L", "Ctrl+Q", "Ctrl+Shift+P", "Alt+F4"):
        shown = QKeySequence(sequence).toString(QKeySequence.SequenceFormat.NativeText)
        assert shown == sequence
    action = QAction("&Keluar")
    action.setShortcut(QKeySequence("Ctrl+Q"))
    assert action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) == "Ctrl+Q"


def test_print_dialog_is_labelled(qtbot: QtBot, language: str) -> None:
    dialog = QPrintDialog(QPrinter())
    qtbot.addWidget(dialog)
    assert dialog.windowTitle().strip()
    labels = {_visible(label.text()) for label in dialog.findChildren(QLabel)}
    # Qt has no Indonesian print dialog: the application translates the texts officers see
    expected_labels = {
        "id": {"Nama:", "Lokasi:", "Jenis:", "Salinan:"},
        "en": {"Name:", "Location:", "Type:", "Copies:"},
    }[language]
    assert expected_labels <= labels, labels
    buttons = {
        _visible(b.text()) for b in dialog.findChildren(QPushButton) if b.isVisibleTo(dialog)
    }
    expected_buttons = {
        "id": {"Cetak", "Batal", "Opsi >>", "Properti"},
        "en": {"Print", "Cancel", "Options >>", "Properties"},
    }[language]
    assert expected_buttons <= buttons, buttons
