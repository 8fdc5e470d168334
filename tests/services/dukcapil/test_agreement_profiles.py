"""Agreement profiles as data: the seed agreements, the administrator's folder, validation.

The expected element sets below are written out from the agreements' own text (the seeds), in
the gateway's key names, independently of the profile files.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.domain.resource_files import resources_dir
from app.services.dukcapil import AgreementProfile, ProfileError, load_profile, load_profiles
from app.services.dukcapil.profiles import BalikanField, admin_profiles_dir

ADDRESS = {"ALAMAT", "PROP_NAME", "KAB_NAME", "NO_KEC", "KEC_NAME", "KEL_NAME", "NO_RT", "NO_RW"}

# Seed 000, Pasal 2 (1) a / Pasal 3 (2) a: NIK, nama lengkap, jenis kelamin, tempat lahir,
# tanggal lahir, status perkawinan, jenis pekerjaan, alamat sekarang.
SEED_000 = {
    "NIK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TMPT_LHR",
    "TGL_LHR",
    "STATUS_KAWIN",
    "JENIS_PKRJN",
} | ADDRESS
# Seed 001, Pasal 2 (1) a: Nomor KK and the same eight.
SEED_001 = SEED_000 | {"NO_KK"}
# Seed 002, Pasal 2 (1) a (web service) and b (web portal): No. KK, NIK, nama lengkap, jenis
# kelamin, tempat lahir, tanggal lahir, status perkawinan, jenis pekerjaan, alamat sekarang.
SEED_002 = {
    "NO_KK",
    "NIK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TMPT_LHR",
    "TGL_LHR",
    "STATUS_KAWIN",
    "JENIS_PKRJN",
} | ADDRESS
# Seed 003: Pasal 2 (1) a lists 7, Pasal 3 (2) a lists 6; only what both permit.
SEED_003_PASAL_2 = {"NO_KK", "NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR", "STATUS_KAWIN"} | ADDRESS
SEED_003_PASAL_3 = {"NIK", "NAMA_LGKP", "JENIS_KLMIN", "TMPT_LHR", "TGL_LHR"} | ADDRESS
SEED_003 = {"NIK", "NAMA_LGKP", "TMPT_LHR", "TGL_LHR"} | ADDRESS
# Seed 004, Juknis II.C.2.a: 9 elements, Nomor KK first.
SEED_004 = {
    "NO_KK",
    "NIK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TMPT_LHR",
    "TGL_LHR",
    "STATUS_KAWIN",
    "JENIS_PKRJN",
} | ADDRESS

VALID = (
    'id = "{id}"\nname = "Contoh"\nlookup = true\nverify = false\n'
    '[[elements]]\nid = "nik"\nkeys = ["NIK"]\n'
)


@pytest.mark.parametrize(
    ("profile_id", "expected", "count"),
    [
        ("purbalingga-8", SEED_000, 8),
        ("karanganyar-9", SEED_001, 9),
        ("nine-elements-kk", SEED_001, 9),
        ("magelang-9", SEED_002, 9),
        ("serdang-bedagai-5", SEED_003, 5),
        ("bandung-9", SEED_004, 9),
    ],
)
def test_each_seed_profile_permits_exactly_its_agreement(
    profiles: dict[str, AgreementProfile], profile_id: str, expected: set[str], count: int
) -> None:
    profile = profiles[profile_id]
    assert set(profile.permitted_keys) == expected
    assert len(profile.elements) == count


def test_serdang_bedagai_takes_only_what_both_articles_permit(
    profiles: dict[str, AgreementProfile],
) -> None:
    profile = profiles["serdang-bedagai-5"]
    assert set(profile.permitted_keys) == SEED_003_PASAL_2 & SEED_003_PASAL_3
    assert not {"NO_KK", "STATUS_KAWIN", "JENIS_KLMIN"} & profile.permitted_keys
    text = (resources_dir() / "profiles" / "serdang-bedagai-5.toml").read_text(encoding="utf-8")
    assert "Pasal 2 ayat (1) huruf a" in text
    assert "Pasal 3 ayat (2) huruf a" in text
    assert "BOTH" in text


def test_every_shipped_profile_cites_its_article() -> None:
    for path in sorted((resources_dir() / "profiles").glob("*.toml")):
        head = path.read_text(encoding="utf-8").split("\nid = ", 1)[0]
        assert re.search(r"Pasal \d|Juknis", head), path.name


def test_access_channels_and_terms(profiles: dict[str, AgreementProfile]) -> None:
    magelang = profiles["magelang-9"]
    assert (magelang.lookup, magelang.verify) == (True, True)
    assert (magelang.lookup_via, magelang.verify_via) == ("web_portal", "web_service")
    assert magelang.verify_keys >= {"NO_KK", "NIK", "ALAMAT"}
    assert magelang.term_end == date(2024, 11, 23)
    verify_only = profiles["verify-only"]
    assert (verify_only.lookup, verify_only.verify_via) == (False, "web_service")
    assert profiles["purbalingga-8"].term_end == date(2027, 9, 16)
    assert profiles["karanganyar-9"].term_end == date(2022, 11, 9)
    # Pasal 8 ayat (1) of seeds 000-003: a report per semester, in June and December
    for profile_id in ("purbalingga-8", "karanganyar-9", "magelang-9", "serdang-bedagai-5"):
        assert profiles[profile_id].report_months == (6, 12)


def test_balikan_fields_and_programmes(profiles: dict[str, AgreementProfile]) -> None:
    karanganyar = {f.name: f for f in profiles["karanganyar-9"].balikan_fields}
    assert set(karanganyar) == {"nop_pbb_p2", "npwpd"}
    nop = karanganyar["nop_pbb_p2"]
    assert nop.accepts("331301000100100010")
    assert not nop.accepts("33130100010010001")  # 17 digits
    assert not nop.accepts("33.13.010.001.001-0001.0")
    assert nop.accepts("")  # not required: a resident may own no taxed property
    serdang = profiles["serdang-bedagai-5"]
    assert {f.name for f in serdang.balikan_fields} == {"nomor_pkh", "nomor_sembako", "id_dtks"}
    assert serdang.programmes == ("PKH", "Sembako")
    magelang = profiles["magelang-9"].balikan_fields
    assert [(f.name, f.required) for f in magelang] == [("nomor_registrasi_pengaduan", True)]
    assert not magelang[0].accepts("  ")
    assert profiles["bandung-9"].programmes == ("PKH", "PBI")
    # Values the case already holds are carried by it, not typed again: the recipient number
    # (seed 000 "Nomor/keterangan penerima", seed 002 "nomor registrasi pengaduan", seed 004
    # "Nomor ID Penerima Bantuan") and the programme (seed 000 "jenis Program", seed 004
    # "Jenis Bantuan").
    sources = {
        profile: {f.source for f in profiles[profile].balikan_fields if f.source}
        for profile in ("purbalingga-8", "magelang-9", "bandung-9")
    }
    assert sources == {
        "purbalingga-8": {"recipient_number", "programme"},
        "magelang-9": {"recipient_number"},
        "bandung-9": {"recipient_number", "programme"},
    }
    assert all(f.typed for f in profiles["serdang-bedagai-5"].balikan_fields)


def test_balikan_field_accepts() -> None:
    field = BalikanField("id_dtks", "ID DTKS", required=True, format="[0-9]{4}")
    assert field.accepts("1234")
    assert field.accepts(" 1234 ")
    assert not field.accepts("12345")
    assert not field.accepts("")
    assert BalikanField("catatan", "Catatan").accepts("")


def _admin_folder() -> Path:
    folder = admin_profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # only the administrator may write it (whatever the umask)
    return folder


def test_admin_folder_is_beside_the_admin_file(isolated_environment: Path) -> None:
    assert admin_profiles_dir() == isolated_environment / "admin" / "profiles"


def test_admin_adds_and_overrides_profiles() -> None:
    folder = _admin_folder()
    (folder / "pks-baru.toml").write_text(VALID.format(id="pks-baru"), encoding="utf-8")
    (folder / "purbalingga-8.toml").write_text(
        VALID.format(id="purbalingga-8").replace('"Contoh"', '"Purbalingga addendum"'),
        encoding="utf-8",
    )
    profiles = load_profiles(resources_dir())
    assert profiles["pks-baru"].permitted_keys == {"NIK"}
    assert profiles["purbalingga-8"].name == "Purbalingga addendum"
    assert profiles["purbalingga-8"].permitted_keys == {"NIK"}
    assert len(profiles["karanganyar-9"].elements) == 9  # the other shipped ones stay
    assert load_profile(resources_dir(), "purbalingga-8").name == "Purbalingga addendum"


def test_an_explicit_admin_folder(tmp_path: Path) -> None:
    (tmp_path / "lain.toml").write_text(VALID.format(id="lain"), encoding="utf-8")
    assert "lain" in load_profiles(resources_dir(), tmp_path)
    assert "lain" not in load_profiles(resources_dir())


BAD_CASES = [
    (
        VALID.replace('id = "nik"\nkeys = ["NIK"]', 'id = "agama"\nkeys = ["AGAMA"]'),
        "elements[1]: unknown element 'agama'",
    ),
    (VALID + "quota = 200\n", "unknown key 'quota'"),
    (
        VALID.replace('keys = ["NIK"]', 'keys = ["NIK"]\nshow = true'),
        "elements[1]: unknown key 'show'",
    ),
    (VALID.replace('name = "Contoh"\n', ""), "required key 'name' is missing"),
    (VALID.replace("lookup = true\n", ""), "required key 'lookup' is missing"),
    (VALID.replace('keys = ["NIK"]\n', ""), "elements[1]: required key 'keys' is missing"),
    (
        VALID + '[[balikan_fields]]\nname = "nop"\nlabel = "NOP"\nformat = "[0-9{18}"\n',
        "balikan_fields[1].format: not a valid regular expression",
    ),
    (VALID + '[[balikan_fields]]\nname = "nop"\n', "balikan_fields[1]: required key 'label'"),
    (
        VALID + '[[balikan_fields]]\nname = "nop"\nlabel = "NOP"\nwidth = 18\n',
        "balikan_fields[1]: unknown key 'width'",
    ),
    (
        VALID + '[[balikan_fields]]\nname = "NOP PBB"\nlabel = "NOP"\n',
        "must be a lower-case identifier",
    ),
    (
        VALID + '[[balikan_fields]]\nname = "nop"\nlabel = "a"\n'
        '[[balikan_fields]]\nname = "nop"\nlabel = "b"\n',
        "balikan field 'nop' is defined twice",
    ),
    (
        VALID + '[[balikan_fields]]\nname = "nop"\nlabel = "NOP"\nrequired = "ya"\n',
        "balikan_fields[1].required: must be true or false",
    ),
    (VALID + '[[elements]]\nid = "nik"\nkeys = ["NIK"]\n', "element 'nik' is listed twice"),
    (
        VALID.replace("verify = false\n", 'verify = false\nverify_via = "web_service"\n'),
        "verify_via: given but verify = false",
    ),
    (
        VALID.replace("lookup = true\n", 'lookup = true\nlookup_via = "email"\n'),
        "lookup_via: must be one of web_service, web_portal",
    ),
    (
        VALID.replace("lookup = true\n", 'lookup = true\nterm_end = "2027"\n'),
        "term_end: must be a date",
    ),
    (
        VALID.replace("lookup = true\n", 'lookup = true\nprogrammes = ["PKH", "PKH"]\n'),
        "programmes: a programme is listed twice",
    ),
    (
        VALID.replace("lookup = true\n", "lookup = true\nreport_months = [6, 13]\n"),
        "report_months: must be months 1 to 12",
    ),
    (
        VALID.replace("lookup = true\n", "lookup = true\nreport_months = [12, 6, 12]\n"),
        "report_months: month 12 is listed twice",
    ),
    (
        VALID + '[[balikan_fields]]\nname = "nop"\nlabel = "NOP"\nsource = "nop"\n',
        "balikan_fields[1].source: must be one of recipient_number, programme",
    ),
    (
        VALID + '[[balikan_fields]]\nname = "a"\nlabel = "a"\nsource = "programme"\n'
        '[[balikan_fields]]\nname = "b"\nlabel = "b"\nsource = "programme"\n',
        "two fields take their value from 'programme'",
    ),
    ('id = "x"\nname = "x"\nlookup = true\nverify = false\n', "required key 'elements'"),
    ("not toml = = =", "not valid TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CASES)
def test_invalid_profile_is_refused_with_a_clear_message(text: str, message: str) -> None:
    path = _admin_folder() / "salah.toml"
    path.write_text(text.replace("{id}", "salah"), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profiles(resources_dir())
    assert message in str(info.value)
    assert str(path) in str(info.value)  # names the file to correct


def test_duplicate_id_in_one_folder() -> None:
    folder = _admin_folder()
    (folder / "a.toml").write_text(VALID.format(id="kembar"), encoding="utf-8")
    (folder / "b.toml").write_text(VALID.format(id="kembar"), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"duplicate profile id 'kembar' \(also in a.toml\)"):
        load_profiles(resources_dir())


def test_cli_shows_a_bad_profile_as_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_admin_folder() / "salah.toml").write_text(VALID + "quota = 1\n", encoding="utf-8")
    status = main(["selfcheck", "--data-dir", str(tmp_path)])
    error = capsys.readouterr().err
    assert status == 2
    assert "The agreement profiles cannot be used" in error
    assert "unknown key 'quota'" in error
    assert "Traceback" not in error
    assert "crash" not in error.lower()


@pytest.mark.parametrize("access_method", ["web_portal", "web_service"])
def test_start_validates_the_profiles_in_any_access_method(access_method: str) -> None:
    from dataclasses import replace

    from app.services.error_messages import user_message
    from app.services.gateway_setup import build_gateway
    from app.services.secrets import MemorySecretStore
    from app.services.settings import demo_settings

    settings = demo_settings()
    settings = replace(settings, agreement=replace(settings.agreement, access_method=access_method))
    (_admin_folder() / "salah.toml").write_text(
        VALID.replace('"nik"', '"golongan_darah"'), encoding="utf-8"
    )
    with pytest.raises(ProfileError) as info:
        build_gateway(settings, MemorySecretStore())
    message = user_message(info.value)
    assert message is not None
    assert "unknown element 'golongan_darah'" in message
    assert message.startswith("The agreement profiles cannot be used")


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_an_admin_profile_others_may_change_is_refused() -> None:
    path = _admin_folder() / "terbuka.toml"
    path.write_text(VALID.format(id="terbuka"), encoding="utf-8")
    path.chmod(0o666)
    with pytest.raises(ProfileError, match="every user of this PC may change it"):
        load_profiles(resources_dir())
    path.chmod(0o644)
    path.parent.chmod(0o777)
    with pytest.raises(ProfileError, match=r"profiles: every user of this PC may change it"):
        load_profiles(resources_dir())
    path.parent.chmod(0o755)
    assert "terbuka" in load_profiles(resources_dir())


def test_an_unknown_profile_id_names_the_known_ones_and_the_admin_folder() -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(resources_dir(), "pks-lama")
    text = str(info.value)
    assert "no profile 'pks-lama'" in text
    assert "bandung-9, karanganyar-9, magelang-9, nine-elements-kk, purbalingga-8" in text
    assert str(admin_profiles_dir()) in text
