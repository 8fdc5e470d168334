"""Sign-in memory: argon2id in an OWASP-recommended configuration (12 MiB, t=3, p=1); older hashes
made with the library default (64 MiB) still verify and are rehashed at the next sign-in."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from app.services.officers import Role, password_hasher
from app.services.persistence.models import Officer
from tests.services.cases.conftest import make_world


def test_new_hashes_use_12_mib_three_passes_one_lane() -> None:
    params = extract_parameters(password_hasher().hash("kata-sandi-uji"))
    assert (params.memory_cost, params.time_cost, params.parallelism) == (12288, 3, 1)
    assert params.type.name == "ID"


def test_an_old_64_mib_hash_still_signs_in_and_is_rehashed(tmp_path: Path) -> None:
    world = make_world(tmp_path / "data")
    officers = world.services.officers
    old = PasswordHasher(memory_cost=65536, time_cost=3, parallelism=4).hash("kata-sandi-lama")
    officers.create(
        None,
        "lama",
        "Warga Contoh",
        "kata-sandi-lama",
        Role.OFFICER,
        nda_date=date(2026, 1, 5),
        nda_reference="NDA/UJI/1",
        must_change_password=False,
        password_hash=old,
    )
    assert officers.authenticate("lama", "kata-sandi-lama").username == "lama"
    with world.services.core.sessions() as session:
        stored = session.execute(
            select(Officer.password_hash).where(Officer.username == "lama")
        ).scalar_one()
    assert extract_parameters(stored).memory_cost == 12288
    assert officers.authenticate("lama", "kata-sandi-lama").username == "lama"
    world.services.core.close()
