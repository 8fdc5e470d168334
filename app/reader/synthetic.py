"""Synthetic card content for demo mode and the test cards: NIKs, records, photo, signature.

Everything here is invented ("WARGA CONTOH"); nothing resembles a real resident.
"""

from __future__ import annotations

import datetime as dt
import math
import struct

from app.reader.parsers import SIGNATURE_HEIGHT, SIGNATURE_WIDTH, build_demographic


def synthetic_nik(
    region: str = "330301",
    birth: dt.date = dt.date(1990, 5, 15),
    *,
    female: bool = True,
    serial: int = 1,
) -> str:
    """A valid-looking NIK: 6-digit kecamatan code, DDMMYY (women: day + 40), 4-digit serial."""
    day = birth.day + (40 if female else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def synthetic_record(nik: str | None = None, **overrides: str) -> dict[str, str]:
    """The 21 demographic fields of an invented resident of Kemangkon, Purbalingga."""
    values = {
        "nik": nik or synthetic_nik(),
        "address": "JL. CONTOH NO. 1",
        "rt": "001",
        "rw": "002",
        "place_of_birth": "PURBALINGGA",
        "kecamatan": "KEMANGKON",
        "kelurahan_desa": "CONTOH",
        "kabupaten_kota": "PURBALINGGA",
        "sex": "PEREMPUAN",
        "blood_type": "O",
        "religion": "ISLAM",
        "marital_status": "KAWIN",
        "occupation": "WIRASWASTA",
        "name": "WARGA CONTOH",
        "date_of_birth": "15-05-1990",
        "province": "JAWA TENGAH",
        "valid_until": "SEUMUR HIDUP",
        "right_finger": "JEMPOL KANAN",
        "left_finger": "JEMPOL KIRI",
        "nationality": "WNI",
        "unnamed_20": "",
    }
    values.update(overrides)
    return values


def synthetic_demographic(nik: str | None = None, **overrides: str) -> bytes:
    """The raw 6FF1 record of :func:`synthetic_record`."""
    return build_demographic(synthetic_record(nik, **overrides))


def synthetic_signature() -> bytes:
    """A 168 × 44 1-bit bitmap with a wavy line (ink = 1)."""
    stride = SIGNATURE_WIDTH // 8
    bitmap = bytearray(stride * SIGNATURE_HEIGHT)
    for x in range(10, SIGNATURE_WIDTH - 10):
        y = int(SIGNATURE_HEIGHT / 2 + 12 * math.sin(x / 9))
        for dy in (0, 1):
            row = y + dy
            bitmap[row * stride + x // 8] |= 0x80 >> (x % 8)
    return bytes(bitmap)


# --- a tiny baseline JPEG encoder (grayscale, DC-only blocks) --------------------------------

_DC_LENGTHS = (2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9)  # standard luminance DC table, categories 0-11
_DC_COUNTS = bytes([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])


def _dc_codes() -> list[tuple[int, int]]:
    codes: list[tuple[int, int]] = []
    code, length = 0, 1
    for count_index, count in enumerate(_DC_COUNTS):
        while length < count_index + 1:
            code <<= 1
            length += 1
        for _ in range(count):
            codes.append((code, length))
            code += 1
    return codes


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def synthetic_jpeg(width: int = 240, height: int = 320, *, pad_to: int = 0) -> bytes:
    """A valid grayscale JPEG: a face-like oval on a light background, 8×8-block resolution.

    ``pad_to`` adds a comment segment so the file reaches about that size (for timing tests).
    """
    bw, bh = (width + 7) // 8, (height + 7) // 8
    codes = _dc_codes()
    bits: list[int] = []

    def put(value: int, length: int) -> None:
        bits.extend((value >> (length - 1 - i)) & 1 for i in range(length))

    previous = 0
    for by in range(bh):
        for bx in range(bw):
            dx, dy = (bx - bw / 2) / (bw * 0.32), (by - bh * 0.42) / (bh * 0.3)
            inside = dx * dx + dy * dy <= 1.0
            shoulders = by > bh * 0.78 and abs(bx - bw / 2) < bw * 0.45
            level = 90 if inside else 60 if shoulders else 215 - by
            dc = level - 128  # quantiser 8: coefficient 8 * (mean - 128) / 8
            diff = dc - previous
            previous = dc
            category = abs(diff).bit_length()
            put(*codes[category])
            if category:
                put(diff if diff > 0 else diff + (1 << category) - 1, category)
            put(0, 1)  # end of block (the only AC symbol, code "0")
    bits.extend([1] * (-len(bits) % 8))
    scan = bytearray()
    for i in range(0, len(bits), 8):
        byte = int("".join(map(str, bits[i : i + 8])), 2)
        scan.append(byte)
        if byte == 0xFF:
            scan.append(0x00)
    quant = bytes([8] + [16] * 63)
    dc_table = bytes([0x00]) + _DC_COUNTS + bytes(range(12))
    ac_table = bytes([0x10]) + bytes([1] + [0] * 15) + bytes([0x00])
    parts = [
        b"\xff\xd8",
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xDB, b"\x00" + quant),
        _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
        _segment(0xC4, dc_table),
        _segment(0xC4, ac_table),
    ]
    body_size = sum(map(len, parts)) + len(scan) + 14
    if pad_to > body_size:
        comment = b"SYNTHETIC PHOTO - WARGA CONTOH "
        filler = (comment * (pad_to // len(comment) + 1))[: min(65533, pad_to - body_size - 4)]
        parts.append(_segment(0xFE, filler))
    parts.append(_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"))
    return b"".join(parts) + bytes(scan) + b"\xff\xd9"
