"""NIK parsing: examples, every error code, and properties over generated input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.nik import ERROR_MESSAGES, NikError, mask_nik, parse_nik
from app.domain.regions import default_regions

TODAY = date(2026, 11, 23)
REGIONS = default_regions()
KECAMATAN = REGIONS.codes("kecamatan")
PROVINCES = set(REGIONS.codes("provinsi"))


def make_nik(district: str, day: int, month: int, yy: int, serial: int, female: bool) -> str:
    """Build a NIK string from its parts."""
    return f"{district}{day + (40 if female else 0):02d}{month:02d}{yy:02d}{serial:04d}"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \t\n", "empty"),
        ("3303O15505900001", "characters"),  # letter O for zero
        ("3303/0155/0590/0001", "characters"),
        ("-3303015505900001", "characters"),
        ("3303015505900001-", "characters"),
        ("３３０３015505900001", "characters"),  # full-width digits
        ("330301550590001", "length"),
        ("33030155059000011", "length"),
        ("9903015505900001", "province"),
        ("0003015505900001", "province"),
        ("3303010005900001", "birth_date"),  # day 00
        ("3303013205900001", "birth_date"),  # day 32
        ("3303014005900001", "birth_date"),  # day 40
        ("3303017205900001", "birth_date"),  # day 72 (woman, 32)
        ("3303011513900001", "birth_date"),  # month 13
        ("3303011500900001", "birth_date"),  # month 00
        ("3303013102900001", "birth_date"),  # 31 February never exists
        ("3303012902010001", "birth_date"),  # 29 Feb 1901/2001/1801: never a leap year
        ("3303015505900000", "serial"),
    ],
)
def test_error_codes(text: str, code: str) -> None:
    with pytest.raises(NikError) as info:
        parse_nik(text, today=TODAY)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)
    assert info.value.message


def test_fields_of_a_valid_nik() -> None:
    nik = parse_nik("3303015505900001", today=TODAY)
    assert nik.value == "3303015505900001"
    assert (nik.province, nik.regency, nik.district) == ("33", "3303", "330301")
    assert nik.sex == "P"
    assert nik.birth_date == date(1990, 5, 15)
    assert nik.serial == "0001"
    assert nik.warnings == ()
    assert nik.masked() == "3303••••••••0001"


@pytest.mark.parametrize(
    "text",
    [
        "  3303015505900001 ",
        "3303 0155 0590 0001",
        "33.03.01.550590.0001",
        "3303-01-550590-0001",
        "3303 - 01 - 550590 - 0001",
        "\t3303015505900001\n",
    ],
)
def test_separators_and_whitespace_accepted(text: str) -> None:
    assert parse_nik(text, today=TODAY).value == "3303015505900001"


def test_men_and_century_resolution() -> None:
    nik = parse_nik("3303011708450002", today=TODAY)
    assert nik.sex == "L"
    assert nik.birth_date == date(1945, 8, 17)
    assert parse_nik("3303010101200003", today=TODAY).birth_date == date(2020, 1, 1)
    # 2026-12-01 is still in the future on TODAY: the previous century is taken.
    assert parse_nik("3303010112260003", today=TODAY).birth_date == date(1926, 12, 1)
    # 29 Feb 2000 exists; 29 Feb 1900 did not.
    assert parse_nik("3303016902000004", today=TODAY).birth_date == date(2000, 2, 29)
    # 29 Feb 2028 is in the future, 1928 was a leap year.
    assert parse_nik("3303012902280004", today=TODAY).birth_date == date(1928, 2, 29)


def test_unknown_regency_and_district_are_warnings_not_errors() -> None:
    nik = parse_nik("3399995505900001", today=TODAY)
    assert nik.warnings == ("regency_unknown", "district_unknown")
    only_district = parse_nik("3303995505900001", today=TODAY)
    assert only_district.warnings == ("district_unknown",)
    assert only_district.warning_messages()


def test_old_codes_remain_valid() -> None:
    old = [r for r in (REGIONS.get(c) for c in KECAMATAN) if r and r.newest_edition < 2025]
    assert old, "the table holds codes found only in older editions"
    nik = parse_nik(make_nik(old[0].code, 1, 1, 80, 1, False), today=TODAY)
    assert nik.warnings == ()


def test_repr_never_shows_the_full_number() -> None:
    nik = parse_nik("3303015505900001", today=TODAY)
    assert "3303015505900001" not in repr(nik)
    assert "3303015505900001" not in str(nik)
    assert "3303015505900001" not in f"{nik}"


def test_non_string_input_is_a_nik_error() -> None:
    with pytest.raises(NikError):
        parse_nik(3303015505900001, today=TODAY)  # type: ignore[arg-type]


valid_parts = st.tuples(
    st.sampled_from(KECAMATAN),
    st.integers(1, 28),
    st.integers(1, 12),
    st.integers(0, 99),
    st.integers(1, 9999),
    st.booleans(),
)


@given(valid_parts)
def test_generated_valid_niks_parse_and_round_trip(
    parts: tuple[str, int, int, int, int, bool],
) -> None:
    district, day, month, yy, serial, female = parts
    text = make_nik(district, day, month, yy, serial, female)
    nik = parse_nik(text, today=TODAY)
    assert nik.value == text
    assert nik.sex == ("P" if female else "L")
    assert (nik.birth_date.day, nik.birth_date.month, nik.birth_date.year % 100) == (day, month, yy)
    assert nik.birth_date <= TODAY
    assert TODAY.year - nik.birth_date.year <= 100
    assert nik.masked() == mask_nik(text)
    assert nik.masked()[:4] == text[:4] and nik.masked()[-4:] == text[-4:]


@given(valid_parts, st.lists(st.sampled_from([" ", ".", "-", " - "]), min_size=15, max_size=15))
def test_separators_between_any_digits(
    parts: tuple[str, int, int, int, int, bool], seps: list[str]
) -> None:
    text = make_nik(*parts)
    typed = "".join(d + s for d, s in zip(text, [*seps, ""], strict=False))
    assert parse_nik(f"  {typed} ", today=TODAY).value == text


@given(st.text())
def test_any_text_parses_or_raises_a_known_code(text: str) -> None:
    try:
        nik = parse_nik(text, today=TODAY)
    except NikError as error:
        assert error.code in ERROR_MESSAGES  # noqa: PT017
    else:
        assert len(nik.value) == 16 and nik.value.isdigit()


@given(
    st.text(alphabet=st.characters(blacklist_characters="0123456789 .-\t\n\r\x0b\x0c"), min_size=1)
)
def test_foreign_characters_are_refused(junk: str) -> None:
    assume(junk.strip())
    with pytest.raises(NikError) as info:
        parse_nik("3303" + junk + "015505900001", today=TODAY)
    assert info.value.code == "characters"


@given(st.text(alphabet="0123456789", min_size=1, max_size=40))
def test_wrong_digit_count_is_a_length_error(digits: str) -> None:
    assume(len(digits) != 16)
    with pytest.raises(NikError) as info:
        parse_nik(digits, today=TODAY)
    assert info.value.code == "length"


@given(valid_parts, st.sampled_from(sorted({f"{i:02d}" for i in range(100)} - PROVINCES)))
def test_unknown_province_is_an_error(
    parts: tuple[str, int, int, int, int, bool], prov: str
) -> None:
    text = prov + make_nik(*parts)[2:]
    with pytest.raises(NikError) as info:
        parse_nik(text, today=TODAY)
    assert info.value.code == "province"
