"""The agreement's data balikan fields on the decision/hand-over form, validated as typed.

One labelled line per ``[[balikan_fields]]`` entry of the profile (labels as the agreement
writes them; a required field is marked with ``*``). Each line is checked on every change
(required, format) and its problem is shown under it in Indonesian. A profile without
data balikan fields gives an empty form that is always valid.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.i18n import _
from app.services.balikan.fields import MAX_VALUE_LENGTH, field_problem
from app.services.dukcapil.profiles import BalikanField


class BalikanFieldsForm(QWidget):
    """One QLineEdit per data balikan field; ``values()`` and ``is_valid()`` for the caller.

    ``require`` False (a refusal: nothing is issued) lets required fields stay empty; a
    value typed must still have the agreed format."""

    validityChanged = Signal(bool)

    def __init__(
        self,
        fields: Sequence[BalikanField],
        parent: QWidget | None = None,
        *,
        require: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("balikanFields")
        self.fields = tuple(fields)
        self._require = require
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.fields:
            title = QLabel(_("Data balikan for Dukcapil"))
            title.setStyleSheet("font-weight:bold;")
            layout.addWidget(title)
        form = QFormLayout()
        layout.addLayout(form)
        for field in self.fields:
            edit = QLineEdit()
            edit.setObjectName(f"balikan_{field.name}")
            edit.setMaxLength(MAX_VALUE_LENGTH)
            edit.setAccessibleName(field.label)
            label = QLabel(f"{field.label} *" if field.required else field.label)
            label.setBuddy(edit)
            error = QLabel()
            error.setObjectName(f"balikanError_{field.name}")
            error.setStyleSheet("color:#b00020;")
            error.setWordWrap(True)
            error.setVisible(False)
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(edit)
            box.addWidget(error)
            form.addRow(label, box)
            self.edits[field.name] = edit
            self.errors[field.name] = error
            edit.textChanged.connect(lambda _text, name=field.name: self._check(name))
        self._valid = self.is_valid()

    def set_require(self, require: bool) -> None:
        """Whether required fields must be filled (approve/hand over: yes; refuse: no)."""
        self._require = require
        for name in self.edits:
            self._check(name, show_missing=False)

    def problems(self) -> dict[str, str]:
        """Field name → what is wrong with it now (translated); empty when all is well."""
        found: dict[str, str] = {}
        for field in self.fields:
            problem = field_problem(field, self.edits[field.name].text(), require=self._require)
            if problem is not None:
                found[field.name] = problem
        return found

    def is_valid(self) -> bool:
        """True when every field fits the agreement (required filled, formats met)."""
        return not self.problems()

    def values(self) -> dict[str, str]:
        """Field name → the value typed (trimmed), for every field of the profile."""
        return {name: edit.text().strip() for name, edit in self.edits.items()}

    def show_problems(self) -> bool:
        """Show every problem (also of fields not touched yet); True when there is none."""
        for name in self.edits:
            self._check(name)
        return self.is_valid()

    def clear(self) -> None:
        """Empty every field and hide the messages."""
        for name, edit in self.edits.items():
            edit.blockSignals(True)
            edit.clear()
            edit.blockSignals(False)
            self.errors[name].clear()
            self.errors[name].setVisible(False)
        self._emit_validity()

    def _check(self, name: str, show_missing: bool = True) -> None:
        field = next(f for f in self.fields if f.name == name)
        text = self.edits[name].text()
        problem = field_problem(field, text, require=self._require)
        if problem is not None and not text.strip() and not show_missing:
            problem = None  # an untouched empty field is not scolded before it is used
        error = self.errors[name]
        error.setText(problem or "")
        error.setVisible(problem is not None)
        self._emit_validity()

    def _emit_validity(self) -> None:
        valid = self.is_valid()
        if valid != self._valid:
            self._valid = valid
            self.validityChanged.emit(valid)
