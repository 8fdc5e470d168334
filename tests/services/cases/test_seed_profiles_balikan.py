"""Each seed agreement (000-004) end to end: a case under its profile, the access it grants,
its data balikan fields delivered to the simulator over real HTTP and written to CSV/XLSX.

The expectations come from the agreements in ``shared/seeds`` (what each one says the data
balikan holds), not from the profile files: every value the agreement asks for must be asked
by the profile (found by a word of the agreement's wording in the field's label), reach the
web service, and appear in the export under a column headed by that label.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain.outcomes import OutcomeKind
from app.domain.resource_files import resources_dir
from app.services.balikan.service import BalikanService
from app.services.cases import Decision, NikSource
from app.services.cases.balikan_owed import field_labels
from app.services.dukcapil.profiles import load_profile
from app.services.secrets import BALIKAN_TOKEN
from app.services.settings import Settings, settings_from_dicts
from app.services.simulator import GatewaySimulator, SimulatorConfig
from app.services.simulator.population import DEMO_REGENCY, Person, Status
from app.services.simulator.server import RunningSimulator, start_simulator
from tests.services.cases.conftest import World, make_world


@dataclass(frozen=True)
class Seed:
    """One agreement: its profile, how it grants access, what its data balikan holds."""

    profile: str
    access: str  # "portal" (lookup by NIK in the web portal) or "verify" (web service)
    #: (a word of the agreement's wording of the value, a synthetic value) per value asked
    values: tuple[tuple[str, str], ...]
    shape: str  # the body shape the sender uses in this test


SEEDS = {
    # PKS Purbalingga, Pasal 2 ayat (1) huruf a: 8 elements "melalui metode web portal";
    # Pasal 2 ayat (2) huruf b: "Nomor/keterangan penerima Program/bantuan dan jenis
    # Program/bantuan yang diterima"
    "000": Seed(
        "purbalingga-8",
        "portal",
        (("penerima", "PKH-0000-1234"), ("jenis program", "Bantuan Pangan")),
        "form",
    ),
    # PKS Karanganyar, Pasal 2 ayat (2) huruf d: web portal; huruf b: "Nomor Obyek Pajak Bumi
    # dan Bangunan ... (NOP)" and "Nomor Pokok Wajib Pajak Daerah (NPWPD)"
    "001": Seed(
        "karanganyar-9",
        "portal",
        (("NOP", "330301000100200030"), ("NPWPD", "P.2.0001234.03.01")),
        "batch",
    ),
    # PKS Magelang, Pasal 2 ayat (1) huruf a: verify by element "dengan mekanisme web
    # service"; Pasal 2 ayat (2) huruf b: "nomor registrasi pengaduan"
    "002": Seed("magelang-9", "verify", (("pengaduan", "ADU/2026/000042"),), "form"),
    # PKS Serdang Bedagai, Pasal 2 ayat (1) huruf a: web portal; Pasal 2 ayat (2) huruf b:
    # "Nomor Penerima Bantuan Program keluarga Harapan (PKH), sembako dan ID DTKS"
    "003": Seed(
        "serdang-bedagai-5",
        "portal",
        (("PKH", "PKH-3322-0001"), ("sembako", "SBK-3322-0002"), ("DTKS", "DTKS-3322-42")),
        "batch",
    ),
    # Juknis Kab. Bandung, II.C.1: web portal; III.A: "NIK; Nomor ID Penerima Bantuan; dan
    # Jenis Bantuan (Bantuan PKH dan PBI)"
    "004": Seed(
        "bandung-9",
        "portal",
        (("ID penerima", "ID-PBI-0007"), ("jenis bantuan", "PBI")),
        "form",
    ),
}


def _settings(seed: Seed) -> Settings:
    agreement: dict[str, object] = {
        "profile": seed.profile,
        "start": date(2025, 1, 1),
        "end": date(2027, 9, 16),
    }
    if seed.access == "portal":
        agreement["access_method"] = "web_portal"
        agreement["portal_url"] = "https://portal.example.invalid/"
    return settings_from_dicts(
        {
            "mode": "demo",
            "agency": {
                "id_lembaga": "330301",
                "name": "Dinas Contoh",
                "programmes": ["PKH", "BPNT", "PBI", "Bantuan Pangan"],
            },
            "agreement": agreement,
        }
    )


@dataclass
class Counter:
    world: World
    running: RunningSimulator
    balikan: BalikanService
    seed: Seed

    @property
    def sim(self) -> GatewaySimulator:
        return self.running.simulator


@pytest.fixture(params=sorted(SEEDS))
def counter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Counter]:
    seed = SEEDS[request.param]
    settings = _settings(seed)
    world = make_world(tmp_path / "data", settings)
    sim = world.demo.simulator or GatewaySimulator(SimulatorConfig(), mode="test")
    running = start_simulator(mode="test", simulator=sim)  # real HTTP on a free port
    services = world.services
    services.core.secrets.set(BALIKAN_TOKEN, sim.config.balikan.token)
    balikan = BalikanService(
        replace(settings.balikan, allow_plain_http=True, body_shape=seed.shape),
        services.core.sessions,
        services.outbox,
        services.audit,
        services.core.secrets,
        settings.counter_id,
        base_url=running.base_url + sim.config.balikan.prefix,
        field_labels=field_labels(settings),
    )
    yield Counter(world, running, balikan, seed)
    balikan.stop()
    running.stop()
    services.core.close()


def _residents(sim: GatewaySimulator) -> tuple[Person, Person]:
    active = [
        p
        for p in sim.population.people()
        if p.status is Status.ACTIVE and p.nik.startswith(DEMO_REGENCY)
    ]
    return active[0], active[len(active) // 2]


def _serve(counter: Counter, person: Person, asked: Asked, recipient: str) -> None:
    """One applicant: the access the agreement grants, approve, issue, hand over, close."""
    world = counter.world
    cases = world.services.cases
    values = asked.typed
    case = cases.open_case(world.officer, asked.programme, "Verifikasi penerima bantuan")
    cases.check_documents(case, world.officer, {"KTP-el": True})
    if counter.seed.access == "portal":
        cases.record_portal_outcome(
            case, world.officer, person.nik, NikSource.TYPED, OutcomeKind.FOUND, True
        )
    else:
        view = cases.look_up(
            case,
            world.officer,
            person.nik,
            NikSource.TYPED,
            verify_elements={"NAMA_LGKP": person.name, "TMPT_LHR": person.birth_place},
        )
        assert view.kind is OutcomeKind.VERIFIED and view.record is None
    cases.decide(case, world.officer, Decision.APPROVE, balikan_fields=values)
    cases.issue(case, world.officer)
    cases.record_printed(case, world.officer)  # handed over on paper
    cases.hand_over(case, world.officer, recipient)
    cases.close(case, world.officer)
    world.clock.advance(15 * 60)


@dataclass
class Asked:
    """What the officer gives for the agreement's values: typed fields with the decision,
    the recipient number at hand-over, the programme when the case is opened."""

    typed: dict[str, str]
    recipient: str | None = None
    programme: str = "PKH"


def _agreement_values(counter: Counter) -> Asked:
    """The values the agreement asks for, by the profile field whose label names each."""
    fields = load_profile(resources_dir(), counter.seed.profile).balikan_fields
    # the profile asks for exactly what the agreement names, nothing more
    assert len(fields) == len(counter.seed.values)
    asked = Asked({})
    for word, value in counter.seed.values:
        matching = [f for f in fields if word.lower() in f.label.lower()]
        assert len(matching) == 1, f"one field of {counter.seed.profile} names {word!r}"
        field = matching[0]
        if field.source == "recipient_number":
            asked.recipient = value
        elif field.source == "programme":
            asked.programme = value
        else:
            asked.typed[field.name] = value
    return asked


def test_seed_profile_balikan_fields_are_delivered_and_exported(
    counter: Counter, tmp_path: Path
) -> None:
    asked = _agreement_values(counter)
    values = asked.typed
    sent_to, exported_for = _residents(counter.sim)

    _serve(counter, sent_to, asked, asked.recipient or "REG-0001")
    report = counter.balikan.send_once()
    assert report.delivered == 1
    (receipt,) = [d for d in counter.sim.balikan if d.nik == sent_to.nik]
    assert receipt.shape == counter.seed.shape and receipt.id_lembaga == "330301"
    param = receipt.params[0]
    assert param["NO_PENERIMA"] == (asked.recipient or "REG-0001")
    assert param["JENIS_PROGRAM"] == asked.programme
    assert sorted(param[name.upper()] for name in values) == sorted(values.values())

    _serve(counter, exported_for, asked, asked.recipient or "REG-0002")
    counter.balikan.export(tmp_path / "balikan.csv", "csv", "supervisor")
    with (tmp_path / "balikan.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    (row,) = rows
    assert row[header.index("NIK")] == exported_for.nik
    agreed = len(counter.balikan.exporter.columns)  # NIK, number, programme, note
    assert header[:agreed] == ["NIK", "NO_PENERIMA", "JENIS_PROGRAM", "KETERANGAN"]
    assert len(header) == agreed + len(values)  # one column per typed field
    assert row[header.index("NO_PENERIMA")] == (asked.recipient or "REG-0002")
    assert row[header.index("JENIS_PROGRAM")] == asked.programme
    for word, value in counter.seed.values:
        if value not in values.values():
            continue  # carried by the recipient number or the programme
        (column,) = [
            agreed + i for i, name in enumerate(header[agreed:]) if word.lower() in name.lower()
        ]
        assert row[column] == value

    counter.balikan.export(tmp_path / "balikan.xlsx", "xlsx", "supervisor")
    sheet = load_workbook(tmp_path / "balikan.xlsx").active
    assert sheet is not None
    cells = [[str(c.value or "") for c in r] for r in sheet.iter_rows()]
    assert cells[0] == header and cells[1] == row
