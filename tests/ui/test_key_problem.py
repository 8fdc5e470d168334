"""A counter whose keys are missing is refused at start with a dialog that imports the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.cli import main
from app.domain.i18n import install_translator
from app.services.key_bundle import BundlePassphraseWrong
from app.services.keys import KeysMissing
from app.services.secrets import ENCRYPTION_KEY
from app.services.settings import load_settings
from app.ui import main as ui_main
from app.ui.key_problem import KeyProblemDialog
from tests.conftest import MemoryKeyring

PASSPHRASE = "frasa-sandi-contoh-panjang"
ADMIN = """
mode = "production"
counter_id = "LOKET-2"
[agency]
id_lembaga = "330301"
name = "Dinas Contoh"
[agreement]
access_method = "web_portal"
portal_url = "https://portal.example.invalid/"
start = 2025-01-01
end = 2027-09-16
"""


def test_the_dialog_names_the_way_out_and_shows_a_refused_import(
    qtbot: QtBot, tmp_path: Path
) -> None:
    bundle = tmp_path / "agency.loketkeys"
    bundle.write_bytes(b"{}")
    calls: list[tuple[bytes, str]] = []

    def refuse(data: bytes, passphrase: str) -> object:
        calls.append((data, passphrase))
        raise BundlePassphraseWrong()

    dialog = KeyProblemDialog(KeysMissing(), refuse)
    qtbot.addWidget(dialog)
    dialog.pick_file = lambda: str(bundle)
    dialog.ask_passphrase = lambda: "salah"
    assert "loket keys import" in dialog.text.text()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert calls == [(b"{}", "salah")]
    assert dialog.error.text() == BundlePassphraseWrong().message
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_start_is_refused_until_the_bundle_is_imported(
    qtbot: QtBot,
    isolated_environment: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    admin = isolated_environment / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True)
    admin.write_text(ADMIN, encoding="utf-8")
    monkeypatch.setenv("LOKET_KEYS_PASSPHRASE", PASSPHRASE)
    assert main(["keys", "init"]) == 0
    bundle = tmp_path / "agency.loketkeys"
    assert main(["keys", "export", "--out", str(bundle)]) == 0
    install_translator("en", lambda message: message)
    held = memory_keyring.values.pop(("loket-ktpel", ENCRYPTION_KEY))
    shown: list[str] = []

    class ImportingDialog(KeyProblemDialog):
        def exec(self) -> int:  # the administrator chooses the bundle and types its passphrase
            shown.append(self.text.text())
            self.pick_file = lambda: str(bundle)
            self.ask_passphrase = lambda: PASSPHRASE
            self.import_bundle()
            return int(self.result())

    monkeypatch.setattr(ui_main, "KeyProblemDialog", ImportingDialog)
    core = ui_main.production_core(load_settings())
    assert core is not None
    try:
        assert len(shown) == 1 and "loket keys import" in shown[0]
        assert memory_keyring.values[("loket-ktpel", ENCRYPTION_KEY)] == held
        assert core.keys is not None
    finally:
        core.close()


def test_closing_the_dialog_gives_up_the_start(
    isolated_environment: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = isolated_environment / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True)
    admin.write_text(ADMIN, encoding="utf-8")
    assert main(["keys", "init"]) == 0
    install_translator("en", lambda message: message)
    memory_keyring.values.clear()

    class ClosedDialog(KeyProblemDialog):
        def exec(self) -> int:
            return int(QDialog.DialogCode.Rejected.value)

    monkeypatch.setattr(ui_main, "KeyProblemDialog", ClosedDialog)
    assert ui_main.production_core(load_settings()) is None
    assert ("loket-ktpel", ENCRYPTION_KEY) not in memory_keyring.values
