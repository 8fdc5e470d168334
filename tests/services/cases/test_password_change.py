"""Changing one's own password: length, repetition, the current password, the forced flag."""

from __future__ import annotations

import pytest

from app.services.officers import (
    LoginFailed,
    PasswordsDiffer,
    PasswordUnchanged,
    WeakPassword,
    WrongCurrentPassword,
    check_new_password,
)
from tests.services.cases.conftest import World


def test_new_password_rules() -> None:
    with pytest.raises(WeakPassword):
        check_new_password("pendek", "pendek")
    with pytest.raises(PasswordsDiffer):
        check_new_password("barubaru1", "barubaru2")
    check_new_password("barubaru1", "barubaru1")


def test_forced_change_after_a_reset(world: World) -> None:
    officers = world.services.officers
    officers.reset_password(world.admin, world.officer.id, "sementara1")
    officer = officers.authenticate("petugas", "sementara1")
    assert officer.must_change_password
    with pytest.raises(PasswordsDiffer):
        officers.change_password(officer, "sementara1", "barubaru1", "barubaru2")
    with pytest.raises(PasswordUnchanged):
        officers.change_password(officer, "sementara1", "sementara1", "sementara1")
    with pytest.raises(WrongCurrentPassword):
        officers.change_password(officer, "salah-salah", "barubaru1", "barubaru1")
    assert officers.authenticate("petugas", "sementara1").must_change_password  # unchanged
    changed = officers.change_password(officer, "sementara1", "barubaru1", "barubaru1")
    assert not changed.must_change_password
    with pytest.raises(LoginFailed):
        officers.authenticate("petugas", "sementara1")
    assert not officers.authenticate("petugas", "barubaru1").must_change_password
