"""The gettext catalogue: every marked message of the app has an Indonesian text."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.i18n import _, install_translator
from app.domain.nik import NikError
from app.services.translations import install_language, translator

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def marked_messages() -> Iterator[tuple[str, str]]:
    """(file, msgid) for every literal passed to _() or N_() in the app's source."""
    for path in APP_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "N_", "tr"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield str(path.relative_to(APP_DIR)), node.args[0].value


def test_every_marked_message_has_an_indonesian_translation() -> None:
    table = translator("id")
    missing = sorted({f"{f}: {m!r}" for f, m in marked_messages() if m not in table})
    assert not missing, "untranslated messages:\n" + "\n".join(missing)


@pytest.fixture
def indonesian() -> Iterator[None]:
    install_language("id")
    yield
    install_translator("en", lambda m: m)


@pytest.mark.usefixtures("indonesian")
def test_nik_error_in_indonesian() -> None:
    assert NikError("length").message == "NIK terdiri dari tepat 16 angka."
    assert _("A NIK has exactly 16 digits.") == "NIK terdiri dari tepat 16 angka."


def test_english_is_the_identity() -> None:
    install_language("en")
    assert NikError("length").message == "A NIK has exactly 16 digits."


def test_unknown_language_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        translator("fr")


def test_each_message_is_translated_once() -> None:
    """Branches merged into the catalogue must not define a message twice (msgfmt refuses
    such a catalogue, and which of two texts is shown would depend on the order)."""
    catalogue = APP_DIR.parent / "resources/translations/id/LC_MESSAGES/loket.po"
    msgids: list[str] = []
    current: list[str] | None = None
    for line in catalogue.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current = [ast.literal_eval(line[len("msgid ") :])]
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            if current is not None and line.startswith("msgstr"):
                msgids.append("".join(current))
            current = None
    duplicates = sorted({msgid for msgid in msgids if msgid and msgids.count(msgid) > 1})
    assert duplicates == []
    assert len(msgids) > 500  # the parser read the catalogue
