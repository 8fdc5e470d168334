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
poc_letter_number = "400.8/PoC/12/2026"
poc_letter_date = 2026-03-02

[gateway]
base_url = "https://192.0.2.10:8000"
consumer_id = "CONTOH"

[quota]
daily_limit = 1000

[ui]
idle_lock_minutes = 3
"""
START, END = date(2025, 9, 16), date(2027, 9, 16)
TERM_PORTAL = {
    "access_method": "web_portal",
    "portal_url": "https://192.0.2.7/",
    "start": START,
    "end": END,
}


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
        (
            {"mode": "production", "agreement": TERM_PORTAL, "reader": {"session": "simulated"}},
            "reader.session",
        ),
        (
            {
                "mode": "production",
                "agreement": {"access_method": "web_portal", "start": START, "end": END},
            },
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


# ---------------------------------------------------------------- issue 11: fail closed
PRODUCTION = {
    "mode": "production",
    "agency": {"id_lembaga": "330312", "name": "Dinas Contoh"},
    "agreement": {
        "access_method": "web_portal",
        "portal_url": "https://192.0.2.7/",
        "start": date(2025, 9, 16),
        "end": date(2027, 9, 16),
    },
}


def production(**agreement: object) -> dict[str, object]:
    base = dict(PRODUCTION)
    base["agreement"] = {**PRODUCTION["agreement"], **agreement}  # type: ignore[dict-item]
    return base


def test_production_has_no_default_access_method() -> None:
    admin = production()
    del admin["agreement"]["access_method"]  # type: ignore[attr-defined]
    with pytest.raises(SettingsError, match=r"agreement\.access_method"):
        settings_from_dicts(admin)


def test_web_service_needs_the_poc_letter() -> None:
    with pytest.raises(SettingsError, match=r"agreement\.poc_letter_number"):
        settings_from_dicts(production(access_method="web_service"))
    settings = settings_from_dicts(
        production(
            access_method="web_service",
            poc_letter_number="400.8/PoC/12/2026",
            poc_letter_date=date(2026, 3, 2),
        )
    )
    assert settings.agreement.poc_letter_number == "400.8/PoC/12/2026"


@pytest.mark.parametrize("key", ["start", "end"])
def test_production_needs_the_term(key: str) -> None:
    admin = production()
    del admin["agreement"][key]  # type: ignore[attr-defined]
    with pytest.raises(SettingsError, match=rf"agreement\.{key}"):
        settings_from_dicts(admin)


def test_a_renewal_request_needs_letter_date_and_a_limit_after_the_end() -> None:
    with pytest.raises(SettingsError, match=r"agreement\.renewal"):
        settings_from_dicts(production(renewal_letter_number="470/1120"))
    with pytest.raises(SettingsError, match=r"agreement\.renewal_limit"):
        settings_from_dicts(
            production(
                renewal_letter_number="470/1120",
                renewal_letter_date=date(2027, 6, 3),
                renewal_limit=date(2027, 9, 1),
            )
        )
    settings = settings_from_dicts(
        production(
            renewal_letter_number="470/1120",
            renewal_letter_date=date(2027, 6, 3),
            renewal_limit=date(2027, 12, 31),
        )
    )
    assert settings.agreement.renewal_requested


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("neighbour_window_minutes", 0),
        ("neighbour_serial_distance", 0),
        ("burst_window_minutes", 1),
        ("burst_count", 0),
        ("burst_count", 50),
        ("min_seconds_between_lookups", 0),
    ],
)
def test_a_guard_rule_cannot_be_switched_off(key: str, value: int) -> None:
    with pytest.raises(SettingsError, match=rf"guard\.{key}"):
        settings_from_dicts({"guard": {key: value}})


def test_a_guard_rule_can_be_tightened() -> None:
    guard = settings_from_dicts(
        {"guard": {"burst_count": 2, "min_seconds_between_lookups": 60}}
    ).guard
    assert (guard.burst_count, guard.min_seconds_between_lookups) == (2, 60)


def test_the_user_file_can_only_shorten_the_idle_lock(tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", "[ui]\nidle_lock_minutes = 100000\n")
    assert demo_settings(user).ui.idle_lock_minutes == 15
    admin = write(tmp_path / "admin.toml", "[ui]\nidle_lock_max_minutes = 10\n")
    assert load_settings(admin, user).ui.idle_lock_minutes == 10
    user = write(
        tmp_path / "user.toml", "[ui]\nidle_lock_minutes = 3\nidle_lock_max_minutes = 99\n"
    )
    settings = load_settings(admin, user)
    assert (settings.ui.idle_lock_minutes, settings.ui.idle_lock_max_minutes) == (3, 10)


@pytest.mark.parametrize(
    "url",
    ["sqlite:///loket.sqlite3", "sqlite:///./data/loket.sqlite3", "sqlite://", "nonsense"],
)
def test_relative_or_unusable_database_urls_are_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="database_url"):
        settings_from_dicts({"database_url": url})


def test_an_absolute_sqlite_path_is_accepted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/loket.sqlite3"
    assert settings_from_dicts({"database_url": url}).database_url == url


def test_an_admin_path_that_is_a_folder_is_an_error_not_demo(tmp_path: Path) -> None:
    folder = tmp_path / "loket.toml"
    folder.mkdir()
    assert is_configured(folder)
    with pytest.raises(SettingsError, match="not a file"):
        load_settings(folder, tmp_path / "none.toml")


def test_an_admin_path_that_links_to_nothing_is_an_error_not_demo(tmp_path: Path) -> None:
    link = tmp_path / "loket.toml"
    link.symlink_to(tmp_path / "gone.toml")
    assert is_configured(link)
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(link, tmp_path / "none.toml")


def test_an_admin_file_others_may_write_is_refused(tmp_path: Path) -> None:
    admin = write(tmp_path / "admin.toml", ADMIN)
    admin.chmod(0o666)
    with pytest.raises(SettingsError, match="chmod o-w"):
        load_settings(admin, tmp_path / "none.toml")
