"""The one scrubber removes whatever parse_nik would read as a NIK, and the answer's words."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.nik import parse_nik, remove_niks
from app.domain.scrub import answer_words, mask_digit_runs, scrub
from app.services.logging_setup import mask_niks

NIK = "3303014505900001"
FULL_WIDTH = NIK.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})
ARABIC_INDIC = NIK.translate({ord(str(d)): chr(0x0660 + d) for d in range(10)})
SPELLINGS = [
    "3303  0145  0590  0001",  # two spaces between groups
    "3303 - 0145 - 0590 - 0001",
    "3303\u00a00145\u00a00590\u00a00001",  # no-break spaces
    "3303\t0145\t0590\t0001",
    "33.03.01.450590.0001",
    FULL_WIDTH,
    ARABIC_INDIC,
    "３３０３　０１４５　０５９０　０００１",  # full-width digits, ideographic spaces
]


@pytest.mark.parametrize("spelling", [s for s in SPELLINGS if s.isascii()])
def test_the_scrubber_removes_what_parse_nik_accepts(spelling: str) -> None:
    assert parse_nik(spelling.replace("\t", " "), today=date(2026, 1, 1)).value == NIK
    assert scrub(spelling) == "[NIK removed]"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_nik_is_removed(spelling: str) -> None:
    scrubbed = scrub(f"KK beda {spelling} lama")
    assert scrubbed == "KK beda [NIK removed] lama"
    assert remove_niks(spelling) == "[NIK removed]"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_the_log_mask_uses_the_same_search(spelling: str) -> None:
    assert mask_niks(f"nik={spelling}.") == "nik=3303••••••••0001."
    assert mask_digit_runs(spelling) == "3303••••••••0001"


def test_a_number_followed_by_another_group_is_still_found() -> None:
    assert scrub("3303 0145 0590 0001 12") == "[NIK removed] 12"


def test_other_numbers_stay() -> None:
    assert scrub("telp 0812 3456 7890") == "telp 0812 3456 7890"  # 12 digits
    assert scrub("33030145059000012") == "33030145059000012"  # 17 unbroken digits
    assert scrub("RT 003 RW 004") == "RT 003 RW 004"


def test_the_open_answers_words_are_removed_case_insensitively() -> None:
    record = {"NAMA_LGKP": "WARGA CONTOH JAKE", "TMPT_LHR": "PURBALINGGA", "NO_KK": None, "X": 5}
    words = answer_words(record)
    assert words == {"warga", "contoh", "jake", "purbalingga"}
    assert scrub("nama di KK beda, Warga contoh JAKE lahir di Purbalingga", words) == (
        "nama di KK beda, … … … lahir di …"
    )
