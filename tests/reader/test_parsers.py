"""Demographic record and signature parsers."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib

from hypothesis import given
from hypothesis import strategies as st

from app.reader.parsers import (
    DEMOGRAPHIC_FIELDS,
    SIGNATURE_BYTES,
    bitmap_to_png,
    build_demographic,
    jpeg_size,
    parse_date,
    parse_demographic,
    signature_to_png,
)
from app.reader.synthetic import (
    synthetic_jpeg,
    synthetic_nik,
    synthetic_record,
    synthetic_signature,
)


def test_synthetic_nik_follows_the_pattern() -> None:
    assert synthetic_nik() == "3303015505900001"
    assert synthetic_nik(female=False, serial=7) == "3303011505900007"


def test_parses_the_synthetic_record() -> None:
    record = parse_demographic(build_demographic(synthetic_record()))
    assert record.fields["nik"] == "3303015505900001"
    assert record.fields["name"] == "WARGA CONTOH"
    assert record.date_of_birth == dt.date(1990, 5, 15)
    assert record.valid_for_life
    assert record.valid_until is None
    assert record.issues == ()
    assert list(record.fields) == list(DEMOGRAPHIC_FIELDS)


def test_lenient_dates() -> None:
    assert parse_date("15-05-1990") == dt.date(1990, 5, 15)
    assert parse_date("15/05/1990") == dt.date(1990, 5, 15)
    assert parse_date("1990-05-15") == dt.date(1990, 5, 15)
    assert parse_date(" 5-5-1990 ") == dt.date(1990, 5, 5)
    assert parse_date("31-02-1990") is None
    assert parse_date("15 MEI 1990") is None


def test_unknown_values_and_bad_dates_are_reported_without_values() -> None:
    raw = build_demographic(synthetic_record(sex="X", religion="LAINNYA", date_of_birth="??",
                                             valid_until="01-13-2020"))
    record = parse_demographic(raw)
    problems = {(i.field, i.reason) for i in record.issues}
    assert problems == {("sex", "unknown value"), ("religion", "unknown value"),
                        ("date_of_birth", "unparseable date"), ("valid_until", "unparseable date")}
    assert "LAINNYA" not in repr(record.issues)


def test_padding_and_short_records() -> None:
    raw = build_demographic(synthetic_record()) + b"\x00\x00\xff"
    assert parse_demographic(raw).issues == ()
    short = parse_demographic(b'"3303015505900001","JL. CONTOH"')
    assert short.fields["nik"] == "3303015505900001"
    assert short.fields["name"] == ""
    assert short.issues[0].field == "record"


def test_lowercase_is_upper_cased() -> None:
    record = parse_demographic(build_demographic(synthetic_record(sex="perempuan")))
    assert record.fields["sex"] == "PEREMPUAN"


_field = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-/", max_size=30)


@given(st.lists(_field, min_size=21, max_size=21))
def test_round_trip(values: list[str]) -> None:
    values = [v.strip() for v in values]
    fields = dict(zip(DEMOGRAPHIC_FIELDS, values, strict=True))
    assert parse_demographic(build_demographic(fields)).fields == fields


@given(st.binary(max_size=400))
def test_never_crashes_on_garbage(raw: bytes) -> None:
    record = parse_demographic(raw)
    assert set(record.fields) == set(DEMOGRAPHIC_FIELDS)


def _png_rows(png: bytes) -> tuple[int, int, list[bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data)
        if kind == b"IHDR":
            size = struct.unpack(">II", data[:8])
            assert data[8:] == bytes([1, 0, 0, 0, 0])
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = (size[0] + 7) // 8 + 1
    return size[0], size[1], [raw[i : i + stride] for i in range(0, len(raw), stride)]


def test_signature_png_structure_and_polarity() -> None:
    bitmap = bytearray(SIGNATURE_BYTES)
    bitmap[0] = 0x80  # top-left pixel inked
    width, height, rows = _png_rows(signature_to_png(bytes(bitmap)))
    assert (width, height, len(rows)) == (168, 44, 44)
    assert rows[0][0] == 0
    assert rows[0][1] == 0x7F
    assert all(b == 0xFF for b in rows[1][1:])


def test_signature_png_decodes_with_pillow() -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(signature_to_png(synthetic_signature())))
    assert image.size == (168, 44)
    assert image.mode == "1"
    inked = sum(1 for x in range(168) for y in range(44) if image.getpixel((x, y)) == 0)
    assert 0 < inked < 168 * 44 // 4


def test_short_bitmaps_are_padded() -> None:
    width, height, rows = _png_rows(bitmap_to_png(b"\xff", 16, 2))
    assert (width, height) == (16, 2)
    assert rows[0] == b"\x00\x00\xff"
    assert rows[1] == b"\x00\xff\xff"


def test_synthetic_jpeg_is_a_real_jpeg() -> None:
    from PIL import Image

    data = synthetic_jpeg(pad_to=6000)
    assert 5000 < len(data) <= 6000
    assert jpeg_size(data) == (240, 320)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (240, 320)
    assert jpeg_size(b"not a jpeg") is None
