"""Agreement profiles, value normalisation, guidance and its Indonesian catalogue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.domain import i18n
from app.domain.resource_files import resource_path, resources_dir
from app.services.dukcapil import (
    AgreementProfile,
    OutcomeKind,
    PermittedRecord,
    ProfileError,
    QueryBlock,
    Severity,
    TransportFailure,
    guidance_for,
    guidance_for_failure,
    load_profile,
)
from app.services.dukcapil.guidance import all_msgids
from app.services.dukcapil.normalise import normalise_value
from app.services.dukcapil.profiles import ELEMENT_LABELS

CATALOGUE = resource_path("translations", "id", "LC_MESSAGES", "loket.po")


def test_profiles(profiles: dict[str, AgreementProfile]) -> None:
    assert set(profiles) >= {"purbalingga-8", "nine-elements-kk", "verify-only"}
    purbalingga = profiles["purbalingga-8"]
    assert len(purbalingga.elements) == 8
    assert "NO_KK" not in purbalingga.permitted_keys
    assert "AGAMA" not in purbalingga.permitted_keys
    assert {"NO_KEC", "KEC_NAME", "NO_RT", "NO_RW"} <= purbalingga.permitted_keys
    assert len(profiles["nine-elements-kk"].elements) == 9
    assert "NO_KK" in profiles["nine-elements-kk"].permitted_keys
    verify_only = profiles["verify-only"]
    assert (verify_only.lookup, verify_only.verify) == (False, True)
    assert "NO_KK" in verify_only.verify_keys
    assert load_profile(resources_dir(), "verify-only") == verify_only
    with pytest.raises(ProfileError):
        load_profile(resources_dir(), "missing")


# Seed 000 (PKS Purbalingga, Pasal 2) in the protocol's key names, written out independently of
# the profile file: NIK, full name, sex, place and date of birth, marital status, occupation,
# and the current address (street, province, regency, kecamatan code and name, village, RT, RW).
PURBALINGGA_KEYS = {
    "NIK", "NAMA_LGKP", "JENIS_KLMIN", "TMPT_LHR", "TGL_LHR", "STATUS_KAWIN", "JENIS_PKRJN",
    "ALAMAT", "PROP_NAME", "KAB_NAME", "NO_KEC", "KEC_NAME", "KEL_NAME", "NO_RT", "NO_RW",
}


def test_purbalingga_profile_permits_exactly_the_agreement_elements(
    profiles: dict[str, AgreementProfile],
) -> None:
    assert set(profiles["purbalingga-8"].permitted_keys) == PURBALINGGA_KEYS
    assert set(profiles["nine-elements-kk"].permitted_keys) == PURBALINGGA_KEYS | {"NO_KK"}


def test_bad_profile_files(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    bad = tmp_path / "profiles" / "bad.toml"
    bad.write_text(
        'id = "bad"\nname = "x"\nlookup = true\nverify = false\n'
        '[[elements]]\nid = "agama"\nkeys = ["AGAMA"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError):
        load_profile(tmp_path, "bad")
    bad.write_text("not toml = = =", encoding="utf-8")
    with pytest.raises(ProfileError):
        load_profile(tmp_path, "bad")


def test_verify_only_profile_never_keeps_a_record(profiles: dict[str, AgreementProfile]) -> None:
    record = profiles["verify-only"].filter_record({"NIK": 3303010310730001, "NAMA_LGKP": "X"})
    assert len(record) == 0


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("NIK", 3303010310730001, "3303010310730001"),
        ("NIK", "3303010310730001 ", "3303010310730001"),
        ("NIK", Decimal("3303010310730001"), "3303010310730001"),
        ("NIK", Decimal("3303010310730001.5"), None),
        ("NIK", 3.303010310730001e15, None),
        ("NIK", 123, None),
        ("NIK", True, None),
        ("NO_KK", 3303012709160001, "3303012709160001"),
        ("NO_RT", 6, "006"),
        ("NO_RW", "12", "012"),
        ("NO_RT", -1, None),
        ("NO_KEC", 1, "01"),
        ("NO_KEL", 2003, "2003"),
        ("TGL_LHR", "1990-03-12", date(1990, 3, 12)),
        ("TGL_LHR", "12-03-1990", date(1990, 3, 12)),
        ("TGL_LHR", "1990-02-30", None),
        ("TGL_LHR", 19900312, None),
        ("LAST_UPDATED", "2020-04-26 10:15:00", date(2020, 4, 26)),
        ("NAMA_LGKP", "  WARGA   CONTOH SATU ", "WARGA CONTOH SATU"),
        ("NAMA_LGKP", "   ", None),
        ("NAMA_LGKP", None, None),
        ("NAMA_LGKP", ["x"], None),
        ("KEC_NAME", 7, "7"),
    ],
)
def test_normalise_value(key: str, raw: object, expected: object) -> None:
    assert normalise_value(key, raw) == expected


def test_permitted_record_is_read_only_and_not_copyable() -> None:
    import copy
    import pickle

    record = PermittedRecord("p", {"NAMA_LGKP": "WARGA CONTOH"})
    with pytest.raises(TypeError):
        record["NAMA_LGKP"] = "X"  # type: ignore[index]
    with pytest.raises(TypeError):
        pickle.dumps(record)
    with pytest.raises(TypeError):
        copy.copy(record)
    assert "WARGA" not in repr(record)


@pytest.mark.parametrize("kind", list(OutcomeKind))
def test_every_outcome_has_guidance(kind: OutcomeKind) -> None:
    guidance = guidance_for(kind, "42")
    assert guidance.title
    assert guidance.meaning
    assert guidance.next_step
    if kind is OutcomeKind.UNKNOWN:
        assert "42" in guidance.title
        assert guidance.severity is Severity.STOP


def test_guidance_blocks() -> None:
    for kind in (
        OutcomeKind.LOGIN_FAILED,
        OutcomeKind.IP_REJECTED,
        OutcomeKind.INSTITUTION_INACTIVE,
        OutcomeKind.USER_INACTIVE,
    ):
        assert guidance_for(kind).block is QueryBlock.UNTIL_RESET
        assert "administrator" in guidance_for(kind).next_step
    assert guidance_for(OutcomeKind.QUOTA_EXHAUSTED).block is QueryBlock.UNTIL_TOMORROW
    assert "tomorrow" in guidance_for(OutcomeKind.QUOTA_EXHAUSTED).next_step
    assert "Do not issue" in guidance_for(OutcomeKind.DECEASED).next_step
    assert "Do not print the NIK" in guidance_for(OutcomeKind.DUPLICATE).next_step
    for failure in TransportFailure:
        assert guidance_for_failure(failure).title


def test_catalogue_translates_every_message() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    assert str(catalogue.locale) == "id"
    assert not catalogue.fuzzy
    translated = {message.id: message.string for message in catalogue if message.id}
    for msgid in [*all_msgids(), *ELEMENT_LABELS.values()]:
        assert translated.get(msgid), f"no Indonesian text for {msgid!r}"


def test_guidance_in_indonesian() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    table = {message.id: message.string for message in catalogue if message.id}
    i18n.install_translator("id", lambda text: str(table.get(text) or text))
    try:
        guidance = guidance_for(OutcomeKind.UNKNOWN, "42")
        assert guidance.title == "Jawaban gateway tidak dikenal (kode 42)"
        assert "Dinas Dukcapil" in guidance_for(OutcomeKind.DECEASED).next_step
    finally:
        i18n.install_translator("en", lambda text: text)
