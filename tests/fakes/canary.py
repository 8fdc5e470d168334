"""A simulator population whose every text field is a unique canary value.

If any of these values (or a full NIK) turns up in a file the app wrote, population
data was stored somewhere: the zero-storage test fails naming the file.
"""

from __future__ import annotations

from dataclasses import fields, replace

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
