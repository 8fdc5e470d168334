"""Forced password change at sign-in after an administrator's reset (R-08)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.domain.i18n import _, install_translator
from app.services.translations import install_language
from app.ui.app_window import AppWindow
from app.ui.password_dialog import PasswordChangeDialog
from tests.services.cases.conftest import World
from tests.ui.conftest import answering, click, settled, sign_in


@pytest.fixture
def indonesian() -> Iterator[None]:
    yield
    install_translator("en", lambda message: message)


def reset_as_admin(qtbot: QtBot, window: AppWindow, username: str, password: str) -> None:
    sign_in(qtbot, window, "admin")
    window.admin_action.trigger()
    admin = window.admin
    settled(qtbot, admin)
    admin.select(username)
    admin.ask = answering({"password": password})
    click(qtbot, admin.reset_button)
    settled(qtbot, admin)
    assert admin.message.styleSheet() == "color:#1b5e20;", admin.message.text()
    window.sign_out()


def submit_login(qtbot: QtBot, window: AppWindow, username: str, password: str) -> None:
    login = window.login
    login.username.setText(username)
    login.password.setText(password)
    click(qtbot, login.sign_in)
    qtbot.waitUntil(lambda: login.error.text() != _("Checking…"), timeout=10000)


def wait_for_dialog(qtbot: QtBot, window: AppWindow) -> PasswordChangeDialog:
    qtbot.waitUntil(
        lambda: window.password_dialog is not None and window.password_dialog.isVisible(),
        timeout=10000,
    )
    dialog = window.password_dialog
    assert dialog is not None
    return dialog


def fill(dialog: PasswordChangeDialog, current: str, new: str, repeat: str) -> None:
    dialog.current.setText(current)
    dialog.new.setText(new)
    dialog.repeat.setText(repeat)


@pytest.mark.usefixtures("indonesian")
def test_reset_password_must_be_changed_at_sign_in(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    reset_as_admin(qtbot, window, "petugas", "sementara1")
    install_language("id")  # the officer works in Indonesian
    submit_login(qtbot, window, "petugas", "sementara1")
    dialog = wait_for_dialog(qtbot, window)
    # nothing else is possible meanwhile: still the sign-in screen, no case, no menu actions
    assert window.stack.currentWidget() is window.login and window.officer is None
    assert not window.new_case_action.isEnabled() and not window.admin_action.isEnabled()
    assert dialog.isModal()

    fill(dialog, "sementara1", "barubaru1", "barubaru2")
    click(qtbot, dialog.ok)
    assert dialog.isVisible()
    assert dialog.error.text() == (
        "Kata sandi baru dan ulangannya berbeda. Ketik kata sandi yang sama dua kali."
    )
    fill(dialog, "sementara1", "pendek", "pendek")
    click(qtbot, dialog.ok)
    assert dialog.isVisible() and dialog.error.text() == "Kata sandi minimal 8 karakter."
    fill(dialog, "salah-salah", "barubaru1", "barubaru1")
    click(qtbot, dialog.ok)
    assert dialog.isVisible() and dialog.error.text() == "Kata sandi saat ini salah."

    fill(dialog, "sementara1", "barubaru1", "barubaru1")
    click(qtbot, dialog.ok)
    assert not dialog.isVisible()
    assert window.stack.currentWidget() is window.case_screen
    assert window.officer is not None and not window.officer.must_change_password
    assert window.new_case_action.isEnabled()
    window.sign_out()

    submit_login(qtbot, window, "petugas", "sementara1")  # the temporary password is gone
    qtbot.waitUntil(lambda: window.login.error.text() == "Nama pengguna atau kata sandi salah.")
    assert window.stack.currentWidget() is window.login
    submit_login(qtbot, window, "petugas", "barubaru1")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.built_case_screen, timeout=10000)
    assert not dialog.isVisible() and window.password_dialog is dialog  # not asked again


def test_cancelling_the_forced_change_signs_out(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    reset_as_admin(qtbot, window, "petugas2", "sementara2")
    submit_login(qtbot, window, "petugas2", "sementara2")
    dialog = wait_for_dialog(qtbot, window)
    fill(dialog, "sementara2", "barubaru2", "barubaru2")
    click(qtbot, dialog.cancel)
    assert not dialog.isVisible() and dialog.new.text() == ""
    assert window.officer is None and window.stack.currentWidget() is window.login
    assert window.login.error.text() == _(
        "Signed out: set a new password at sign-in before working at the counter."
    )
    assert not window.new_case_action.isEnabled()
    # the password was not changed and is still to be changed
    assert world.services.officers.authenticate("petugas2", "sementara2").must_change_password
