"""A simulator population whose every text field is a unique canary value.

If any of these values (or a full NIK) turns up in a file the app wrote, population
data was stored somewhere: the zero-storage test fails naming the file.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

from app.services.simulator import build_population
from app.services.simulator.population import Locality, Person, Population

CANARY_PREFIX = "KNRY"
_TEXT_FIELDS = [
    f.name
    for f in fields(Person)
    if f.name not in ("nik", "no_kk", "mother_nik", "father_nik", "postcode", "status")
    and f.type in ("str", "str | None")
]


def canary(index: int, field: str) -> str:
    """The canary value of one field of one person."""
    return f"{CANARY_PREFIX}{index:04d}{field.upper().replace('_', '')}"


def canary_population(size: int = 400) -> Population:
    """The standard synthetic population with every text field replaced by a canary."""
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
        people.append(replace(person, **changes))  # type: ignore[arg-type]
    return Population(people, base.examples()["not_found"])


def all_canaries(population: Population) -> list[str]:
    """Every canary value in the population."""
    values: list[str] = []
    for index in range(len(population.people())):
        values += [canary(index, name) for name in _TEXT_FIELDS]
        values += [canary(index, n) for n in ("province", "regency", "district")]
    return values


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
