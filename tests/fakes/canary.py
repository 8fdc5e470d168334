"""A simulator population whose every field is a recognisable canary, and the scan for it.

If any of these values (or a full NIK, No. KK or a parent's NIK) turns up in a file the app
wrote, population data was stored somewhere: the zero-storage tests fail naming the file.
Text fields become unique ``KNRY…`` strings; dates are searched in every format the app shows,
prints or could serialise; RT/RW get values no agency data uses (7xx/8xx). The scan looks
inside compressed PDF streams and XLSX/ZIP archives too.
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

from app.services.simulator import build_population
from app.services.simulator.population import Locality, Person, Population

CANARY_PREFIX = "KNRY"
_NUMBER_FIELDS = ("nik", "no_kk", "mother_nik", "father_nik", "postcode")
_TEXT_FIELDS = [
    f.name
    for f in fields(Person)
    if f.name not in (*_NUMBER_FIELDS, "status") and f.type in ("str", "str | None")
]
_DATE_FIELDS = [f.name for f in fields(Person) if f.type in ("date", "date | None")]
MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def canary(index: int, field: str) -> str:
    """The canary value of one text field of one person."""
    return f"{CANARY_PREFIX}{index:04d}{field.upper().replace('_', '')}"


def canary_population(size: int = 400) -> Population:
    """The standard synthetic population with every text field replaced by a canary and
    RT/RW moved to 7xx/8xx (values no agency record uses)."""
    base = build_population(size=size)
    people = []
    for index, person in enumerate(base.people()):
        changes: dict[str, object] = {name: canary(index, name) for name in _TEXT_FIELDS}
        changes["region"] = Locality(
            code=person.region.code,
            province=canary(index, "province"),
            regency=canary(index, "regency"),
            district=canary(index, "district"),
        )
        changes["rt"] = 700 + index % 100
        changes["rw"] = 800 + (index * 7) % 100
        people.append(replace(person, **changes))  # type: ignore[arg-type]
    return Population(people, base.examples()["not_found"])


def all_canaries(population: Population) -> list[str]:
    """Every text canary value in the population."""
    values: list[str] = []
    for index in range(len(population.people())):
        values += [canary(index, name) for name in _TEXT_FIELDS]
        values += [canary(index, n) for n in ("province", "regency", "district")]
    return values


def date_forms(day: date) -> list[str]:
    """A date the way the app, reportlab, SQLite, CSV or a person could write it."""
    d, m, y = day.day, day.month, day.year
    return [
        f"{d:02d}-{m:02d}-{y}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}", f"{d:02d}.{m:02d}.{y}", f"{y}{m:02d}{d:02d}", f"{d:02d}{m:02d}{y}",
        f"{d} {MONTHS_ID[m - 1]} {y}", f"{d:02d} {MONTHS_ID[m - 1]} {y}",
        f"{d} {MONTHS_EN[m - 1]} {y}", f"{MONTHS_EN[m - 1]} {d}, {y}",
        f"{d:02d}-{MONTHS_ID[m - 1][:3].upper()}-{y}",
    ]


def rt_rw_forms(rt: int, rw: int) -> list[str]:
    """RT/RW as an address line or a table would show them."""
    return [f"{rt:03d}/{rw:03d}", f"{rt}/{rw}", f"RT {rt:03d}", f"RW {rw:03d}",
            f"RT {rt}", f"RW {rw}", f"{rt:03d} / {rw:03d}"]


def population_needles(population: Population, *, app_dates: Iterable[date] = ()) -> list[str]:
    """Everything of the population that must never be found on disk.

    ``app_dates`` are dates the app legitimately writes (case days, agreement term): a
    person's date equal to one of them cannot be told apart and is not searched.
    """
    own = set(app_dates)
    needles: set[str] = set(all_canaries(population))
    for person in population.people():
        for name in _NUMBER_FIELDS[:4]:
            value = getattr(person, name)
            if value:
                needles.add(str(value))
        for name in _DATE_FIELDS:
            value = getattr(person, name)
            if isinstance(value, date) and value not in own:
                needles.update(date_forms(value))
        needles.update(rt_rw_forms(person.rt, person.rw))
    return sorted(needles)


# Token shapes a needle can have; each file is scanned once per shape and every token is
# looked up in a set (tens of thousands of needles, megabytes of data: no substring loops).
_SHAPES = [
    re.compile(rb"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}"),
    re.compile(rb"\d{4}-\d{2}-\d{2}"),
    re.compile(rb"\d{1,2} [A-Z][a-z]+ \d{4}"),
    re.compile(rb"[A-Z][a-z]+ \d{1,2}, \d{4}"),
    re.compile(rb"\d{2}-[A-Z]{3}-\d{4}"),
    re.compile(rb"\d{1,3} ?/ ?\d{1,3}"),
    re.compile(rb"R[TW] \d{1,3}"),
]
_DIGIT_RUN = re.compile(rb"\d{8,}")
_CANARY = re.compile(rb"KNRY\d{4}")


class NeedleSet:
    """Finds any of many needles in bytes in one pass per token shape."""

    def __init__(self, needles: Iterable[str]) -> None:
        self.exact = {n.encode() for n in needles}
        self.by_prefix: dict[bytes, list[bytes]] = {}
        for needle in self.exact:
            if needle.startswith(CANARY_PREFIX.encode()):
                self.by_prefix.setdefault(needle[:8], []).append(needle)
        self.digit_lengths = sorted({len(n) for n in self.exact if n.isdigit() and len(n) >= 8})

    def first_hit(self, data: bytes) -> bytes | None:
        """One needle found in ``data``, or None."""
        for match in _CANARY.finditer(data):
            for needle in self.by_prefix.get(match.group(0), ()):
                if data.startswith(needle, match.start()):
                    return needle
        for run in _DIGIT_RUN.finditer(data):
            digits = run.group(0)
            for length in self.digit_lengths:
                for i in range(len(digits) - length + 1):
                    if digits[i:i + length] in self.exact:
                        return digits[i:i + length]
        for shape in _SHAPES:
            for match in shape.finditer(data):
                if match.group(0) in self.exact:
                    return match.group(0)
        return None


_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.DOTALL)


def _inflate(raw: bytes) -> bytes:
    """A PDF stream's content: Flate, ASCII85 then Flate (reportlab), or as it is."""
    candidates = [raw]
    if raw.rstrip().endswith(b"~>"):
        with contextlib.suppress(ValueError):
            candidates.insert(0, base64.a85decode(raw.rstrip(), adobe=True, ignorechars=b" \t\r\n"))
    for candidate in candidates:
        try:
            return zlib.decompress(candidate)
        except zlib.error:
            continue
    return candidates[0]


def readable_layers(data: bytes) -> list[bytes]:
    """A file's bytes plus what a reader would decompress (PDF streams, ZIP members)."""
    layers = [data]
    if data.startswith(b"%PDF"):
        layers.extend(_inflate(match.group(1)) for match in _STREAM.finditer(data))
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    layers.extend(readable_layers(archive.read(member)))
        except zipfile.BadZipFile:
            pass
    return layers


def find_leaks(root: Path, needles: Iterable[str]) -> list[str]:
    """``file: needle…`` for every file under ``root`` holding one of ``needles``."""
    matcher = NeedleSet(needles)
    leaks: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for layer in readable_layers(path.read_bytes()):
            hit = matcher.first_hit(layer)
            if hit is not None:
                leaks.append(f"{path.relative_to(root)}: {hit.decode()[:8]}…")
                break
    return leaks


def typed_variants(number: str) -> list[str]:
    """How an officer might type or paste a NIK / No. KK: spaced, dotted, other digits."""
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    return [
        "  ".join(groups),  # two spaces between groups
        " - ".join(groups),
        "\u00a0".join(groups),  # no-break spaces (pasted)
        f"{number[:2]}.{number[2:4]}.{number[4:6]}.{number[6:12]}.{number[12:]}",
        number.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)}),  # full-width
        number.translate({ord(str(d)): chr(0x0660 + d) for d in range(10)}),  # Arabic-Indic
        number.translate({ord(str(d)): chr(0x0966 + d) for d in range(10)}),  # Devanagari
    ]


def scan_for(root: Path, needles: list[str]) -> list[str]:
    """Files under ``root`` holding any needle (as UTF-8 bytes): "file: needle…"."""
    encoded = [n.encode("utf-8") for n in needles]
    leaks: list[str] = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for needle, raw in zip(needles, encoded, strict=True):
            if raw in data:
                leaks.append(f"{path.relative_to(root)}: {needle[:12]}…")
                break
    return leaks
