"""Settings: administrator file wins, values validated with the key named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.services.settings import (
    SettingsError,
    demo_settings,
    is_configured,
    load_settings,
    settings_from_dicts,
)

ADMIN = """
mode = "production"
counter_id = "LOKET-2"

[agency]
id_lembaga = "330312"
name = "Dinas Sosial Kabupaten Contoh"
programmes = ["PKH", "BPNT"]

[agreement]
profile = "purbalingga-8"
access_method = "web_service"
start = 2025-09-16
end = 2027-09-16

[gateway]
base_url = "https://192.0.2.10:8000"
consumer_id = "CONTOH"

[quota]
daily_limit = 1000

[ui]
idle_lock_minutes = 3
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_admin_file_loaded_and_typed(tmp_path: Path) -> None:
    admin = write(tmp_path / "admin.toml", ADMIN)
    settings = load_settings(admin, tmp_path / "none.toml")
    assert settings.mode == "production"
    assert settings.agency.programmes == ("PKH", "BPNT")
    assert settings.agreement.end == date(2027, 9, 16)
    assert settings.quota.daily_limit == 1000
    assert settings.gateway.read_timeout == 30.0
    assert not settings.is_demo


def test_user_cannot_override_admin_keys(tmp_path: Path) -> None:
    admin = write(tmp_path / "admin.toml", ADMIN)
    user = write(
        tmp_path / "user.toml",
        'mode = "demo"\n[quota]\ndaily_limit = 99999\n'
        '[ui]\nlanguage = "en"\nidle_lock_minutes = 30\n',
    )
    settings = load_settings(admin, user)
    assert settings.mode == "production"
    assert settings.quota.daily_limit == 1000
    assert settings.ui.language == "en"  # a personal preference
    assert settings.ui.idle_lock_minutes == 3  # the administrator set it: locked


@pytest.mark.parametrize(
    ("admin", "key"),
    [
        ({"mode": "test"}, "mode"),
        ({"agreement": {"access_method": "email"}}, "agreement.access_method"),
        ({"agreement": {"end": "next year"}}, "agreement.end"),
        ({"agency": {"id_lembaga": "12"}}, "agency.id_lembaga"),
        ({"gateway": {"read_timeout": "fast"}}, "gateway.read_timeout"),
        ({"gateway": {"read_timeout": -1}}, "gateway.read_timeout"),
        ({"gateway": {"base_url": "http://192.0.2.1"}}, "gateway.base_url"),
        ({"gateway": {"colour": "red"}}, "gateway.colour"),
        ({"quota": {"daily_limit": -5}}, "quota.daily_limit"),
        ({"quota": {"daily_limit": True}}, "quota.daily_limit"),
        ({"balikan": {"link_share": 2.0}}, "balikan.link_share"),
        ({"ui": {"language": "fr"}}, "ui.language"),
        ({"guard": "strict"}, "guard"),
        ({"unknown": 1}, "unknown"),
        ({"mode": "production", "reader": {"session": "simulated"}}, "reader.session"),
        (
            {"mode": "production", "agreement": {"access_method": "web_portal"}},
            "agreement.portal_url",
        ),
    ],
)
def test_invalid_values_name_the_key(admin: dict[str, object], key: str) -> None:
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        settings_from_dicts(admin)


def test_broken_toml_is_a_settings_error(tmp_path: Path) -> None:
    admin = write(tmp_path / "admin.toml", "mode = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(admin, tmp_path / "none.toml")


def test_plain_http_needs_explicit_permission() -> None:
    settings = settings_from_dicts(
        {"gateway": {"base_url": "http://192.0.2.1:8080", "allow_plain_http": True}}
    )
    assert settings.gateway.allow_plain_http


def test_unlimited_quota_after_poc() -> None:
    assert settings_from_dicts({"quota": {"daily_limit": 0}}).quota.daily_limit is None
    assert settings_from_dicts({"quota": {"daily_limit": "unlimited"}}).quota.daily_limit is None


def test_demo_defaults_and_configured_flag(tmp_path: Path) -> None:
    settings = demo_settings()
    assert settings.is_demo
    assert settings.agreement.end is not None
    assert not is_configured(tmp_path / "missing.toml")
    assert is_configured(write(tmp_path / "admin.toml", ADMIN))


def test_default_paths_follow_the_environment(isolated_environment: Path) -> None:
    settings = load_settings()
    assert settings.mode == "demo"  # nothing configured: the dataclass defaults


def test_language_choice_is_remembered_for_the_person(tmp_path: Path) -> None:
    from app.services.settings import save_user_language

    user = tmp_path / "user" / "settings.toml"
    write(user, "[ui]\nidle_lock_minutes = 7\n")
    save_user_language("en", user)
    assert demo_settings(user).ui.language == "en"
    assert demo_settings(user).ui.idle_lock_minutes == 7
    assert oct(user.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(SettingsError):
        save_user_language("fr", user)
