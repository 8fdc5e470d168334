"""A deterministic synthetic population for the gateway simulator.

Seeded, a few thousand people in households, with valid NIKs for real kecamatan codes and
names like "WARGA CONTOH SARINA". Some are deceased, duplicated or inactive, so every lookup
outcome can be demonstrated; :meth:`Population.examples` names one NIK per outcome.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from app.domain.regions import RegionTable, default_regions


class Status(enum.Enum):
    """How the simulated registry holds a person."""

    ACTIVE = "active"
    DECEASED = "deceased"
    DUPLICATE = "duplicate"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Locality:
    """One kecamatan with its parents' names."""

    code: str  # 6 digits
    province: str
    regency: str
    district: str


@dataclass(frozen=True)
class Person:
    """One synthetic resident (values already in Dukcapil's upper-case vocabulary)."""

    nik: str
    no_kk: str
    name: str
    sex: str
    birth_place: str
    birth_date: date
    religion: str
    blood_type: str
    marital_status: str
    marriage_date: date | None
    relation: str
    education: str
    occupation: str
    mother_name: str
    mother_nik: str | None
    father_name: str
    father_nik: str | None
    address: str
    rt: int
    rw: int
    hamlet: str | None
    postcode: str
    region: Locality
    village_no: int
    village: str
    status: Status
    ektp_created: date
    last_updated: date


_SYLLABLES = ("SA", "RI", "NA", "WA", "TI", "DA", "MU", "LA", "KE", "PU", "SO", "BU", "NI", "JA")
_RELIGIONS = ("ISLAM", "ISLAM", "ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA")
_BLOOD = ("A", "B", "AB", "O", "TIDAK TAHU")
_EDUCATION = ("SLTA/SEDERAJAT", "SLTP/SEDERAJAT", "TAMAT SD/SEDERAJAT", "DIPLOMA IV/STRATA I")
_JOBS = (
    "PELAJAR/MAHASISWA",
    "WIRASWASTA",
    "PETANI/PEKEBUN",
    "KARYAWAN SWASTA",
    "MENGURUS RUMAH TANGGA",
    "BURUH HARIAN LEPAS",
    "PEGAWAI NEGERI SIPIL (PNS)",
)
DEMO_REGENCY = "3303"  # Kab. Purbalingga, always present for the demo profile


def current_localities(table: RegionTable | None = None) -> list[Locality]:
    """Kecamatans of the newest edition of the region list, with their parents' names."""
    table = table or default_regions()
    codes = table.codes("kecamatan")
    entries = [entry for code in codes if (entry := table.get(code)) is not None]
    newest = max(entry.newest_edition for entry in entries)
    localities = []
    for entry in entries:
        province, regency = table.name(entry.code[:2]), table.name(entry.code[:4])
        if entry.newest_edition == newest and province and regency:
            localities.append(
                Locality(
                    entry.code,
                    province.upper(),
                    regency.upper().removeprefix("KABUPATEN "),
                    entry.name.upper(),
                )
            )
    return localities


def nik_for(region: str, birth: date, female: bool, serial: int) -> str:
    """A NIK: kecamatan code, birth DDMMYY (day + 40 for women), 4-digit serial."""
    day = birth.day + (40 if female else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


class Population:
    """The simulated registry, keyed by NIK."""

    def __init__(self, people: list[Person], not_found: str) -> None:
        self._by_nik = {person.nik: person for person in people}
        self._not_found = not_found

    def __len__(self) -> int:
        return len(self._by_nik)

    def get(self, nik: str) -> Person | None:
        """The person with this NIK, if registered."""
        return self._by_nik.get(nik)

    def people(self) -> list[Person]:
        """Everyone, in NIK order."""
        return [self._by_nik[nik] for nik in sorted(self._by_nik)]

    def examples(self) -> dict[str, str]:
        """One NIK per demonstrable outcome: found, deceased, duplicate, inactive, not_found,
        invalid_format (the last two are not registered)."""
        first: dict[str, str] = {}
        for person in self.people():
            key = "found" if person.status is Status.ACTIVE else person.status.value
            if key == "found" and not person.region.code.startswith(DEMO_REGENCY):
                continue
            first.setdefault(key, person.nik)
        first["not_found"] = self._not_found
        first["invalid_format"] = "9901011201900001"  # province 99 does not exist
        return first


@lru_cache(maxsize=4)
def build_population(seed: int = 20250916, size: int = 3000) -> Population:
    """The population for ``seed``: same seed, same people."""
    regions = current_localities()
    rng = random.Random(seed)
    demo = [r for r in regions if r.code.startswith(DEMO_REGENCY)]
    chosen = demo + rng.sample([r for r in regions if r not in demo], 40)
    builder = _Builder(rng)
    while len(builder.people) < size:
        builder.household(rng.choice(chosen))
    people = builder.people[:size]
    for index, person in enumerate(people):
        status = _status_for(index)
        if status is not Status.ACTIVE:
            people[index] = replace(person, status=status)
    region = demo[0].code
    not_found = next(
        nik
        for serial in range(9999, 0, -1)
        if (nik := nik_for(region, date(1999, 9, 9), False, serial)) not in builder.niks
    )
    return Population(people, not_found)


def _status_for(index: int) -> Status:
    """About 3 % deceased, 2 % duplicate, 2 % inactive, spread through the population."""
    slot = index % 100
    if slot in (7, 41, 77):
        return Status.DECEASED
    if slot in (13, 59):
        return Status.DUPLICATE
    if slot in (29, 88):
        return Status.INACTIVE
    return Status.ACTIVE


class _Builder:
    """Builds households one at a time with unique NIKs and family-card numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people: list[Person] = []
        self.niks: set[str] = set()
        self._serials: dict[str, int] = {}

    def word(self) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))

    def new_nik(self, region: str, birth: date, female: bool) -> str:
        prefix = nik_for(region, birth, female, 0)[:12]
        serial = self._serials.get(prefix, 0) + 1
        self._serials[prefix] = serial
        nik = prefix + f"{serial:04d}"
        self.niks.add(nik)
        return nik

    def birth(self, youngest: int, oldest: int) -> date:
        start = date(2025, 1, 1) - timedelta(days=365 * oldest)
        return start + timedelta(days=self.rng.randint(0, 365 * (oldest - youngest)))

    def household(self, region: Locality) -> None:
        rng = self.rng
        issued = date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000))
        no_kk = self.new_nik(region.code, issued, False)  # same shape as a NIK
        self.niks.discard(no_kk)
        shared = {
            "no_kk": no_kk,
            "address": f"JL. CONTOH {self.word()} NO. {rng.randint(1, 120)}",
            "rt": rng.randint(1, 12),
            "rw": rng.randint(1, 9),
            "hamlet": None if rng.random() < 0.5 else f"DUSUN {self.word()}",
            "postcode": f"{rng.randint(50000, 59999)}",
            "region": region,
            "village_no": rng.choice((1001, 1002, 2001, 2002, 2003, 2004, 2005)),
        }
        village = f"DESA CONTOH {self.word()}"
        head_birth = self.birth(25, 70)
        head = self.member(shared, village, head_birth, False, "KEPALA KELUARGA", None, None)
        members = [head]
        if rng.random() < 0.8:
            spouse_birth = self.birth(22, 65)
            members.append(self.member(shared, village, spouse_birth, True, "ISTRI", None, None))
        for _ in range(rng.randint(0, 3) if len(members) == 2 else 0):
            child_birth = self.birth(0, 20)
            mother = members[1]
            members.append(
                self.member(shared, village, child_birth, rng.random() < 0.5, "ANAK", head, mother)
            )
        self.people.extend(members)

    def member(
        self,
        shared: dict[str, object],
        village: str,
        birth: date,
        female: bool,
        relation: str,
        father: Person | None,
        mother: Person | None,
    ) -> Person:
        rng = self.rng
        region = shared["region"]
        assert isinstance(region, Locality)
        married = relation in ("KEPALA KELUARGA", "ISTRI") and rng.random() < 0.9
        adult = birth <= date(2007, 1, 1)
        return Person(
            nik=self.new_nik(region.code, birth, female),
            no_kk=str(shared["no_kk"]),
            name=f"WARGA CONTOH {self.word()}",
            sex="PEREMPUAN" if female else "LAKI-LAKI",
            birth_place=region.regency.removeprefix("KOTA "),
            birth_date=birth,
            religion=rng.choice(_RELIGIONS),
            blood_type=rng.choice(_BLOOD),
            marital_status="KAWIN" if married else "BELUM KAWIN",
            marriage_date=birth + timedelta(days=365 * 23) if married else None,
            relation=relation,
            education=rng.choice(_EDUCATION) if adult else "BELUM TAMAT SD/SEDERAJAT",
            occupation=rng.choice(_JOBS) if adult else "PELAJAR/MAHASISWA",
            mother_name=mother.name if mother else f"IBU CONTOH {self.word()}",
            mother_nik=mother.nik if mother else None,
            father_name=father.name if father else f"AYAH CONTOH {self.word()}",
            father_nik=father.nik if father else None,
            address=str(shared["address"]),
            rt=int(str(shared["rt"])),
            rw=int(str(shared["rw"])),
            hamlet=shared["hamlet"] if isinstance(shared["hamlet"], str) else None,
            postcode=str(shared["postcode"]),
            region=region,
            village_no=int(str(shared["village_no"])),
            village=village,
            status=Status.ACTIVE,
            ektp_created=date(2012, 6, 1) + timedelta(days=rng.randint(0, 3000)),
            last_updated=date(2020, 1, 1) + timedelta(days=rng.randint(0, 1800)),
        )


def wire_record(person: Person) -> dict[str, object]:
    """The record as a real gateway sends it: JSON numbers for NIK/NO_KK, unpadded RT/RW and
    region numbers, nulls, and trailing spaces on some strings (~38 fields)."""
    pad = " " if int(person.nik[6:12]) % 3 == 0 else ""  # trailing spaces on some records
    region = person.region.code
    status = ektp_status(person)
    return {
        "NIK": int(person.nik),
        "NO_KK": int(person.no_kk),
        "NAMA_LGKP": person.name + pad,
        "JENIS_KLMIN": person.sex,
        "TMPT_LHR": person.birth_place + pad,
        "TGL_LHR": person.birth_date.isoformat(),
        "NO_AKTA_LHR": None if pad else f"{region[:4]}-LT-{person.nik[-6:]}",
        "GOL_DARAH": person.blood_type,
        "AGAMA": person.religion,
        "STATUS_KAWIN": person.marital_status,
        "TGL_KWN": person.marriage_date.isoformat() if person.marriage_date else None,
        "NO_AKTA_KWN": None,
        "TGL_CRAI": None,
        "NO_AKTA_CRAI": None,
        "STAT_HBKEL": person.relation,
        "PNYDNG_CCT": "TIDAK ADA" if pad else None,
        "PDDK_AKH": person.education,
        "JENIS_PKRJN": person.occupation + pad,
        "NIK_IBU": int(person.mother_nik) if person.mother_nik else None,
        "NAMA_LGKP_IBU": person.mother_name,
        "NIK_AYAH": int(person.father_nik) if person.father_nik else None,
        "NAMA_LGKP_AYAH": person.father_name,
        "ALAMAT": person.address + pad,
        "NO_RT": person.rt,
        "NO_RW": person.rw,
        "DUSUN": person.hamlet,
        "KODE_POS": int(person.postcode),
        "NO_PROP": int(region[:2]),
        "PROP_NAME": person.region.province,
        "NO_KAB": int(region[2:4]),
        "KAB_NAME": person.region.regency,
        "NO_KEC": int(region[4:6]),
        "KEC_NAME": person.region.district + pad,
        "NO_KEL": person.village_no,
        "KEL_NAME": person.village,
        "EKTP_STATUS": status,
        "EKTP_CREATED": None if status == "BELUM REKAM" else person.ektp_created.isoformat(),
        "LAST_UPDATED": f"{person.last_updated.isoformat()} 10:15:00",
    }


EKTP_STATUSES = ("SUDAH REKAM", "BELUM REKAM", "TUNGGAL")
_RECORDING_AGE = 17
_AGE_REFERENCE = date(2025, 1, 1)


def ektp_status(person: Person) -> str:
    """EKTP_STATUS as the sources show it: minors and some adults are not yet recorded
    ("BELUM REKAM"); recorded adults are "SUDAH REKAM", a few "TUNGGAL"."""
    adult = person.birth_date <= _AGE_REFERENCE.replace(year=_AGE_REFERENCE.year - _RECORDING_AGE)
    spread = sum(int(digit) for digit in person.nik)  # deterministic, well mixed
    if not adult or spread % 17 == 0:
        return "BELUM REKAM"
    if spread % 10 == 3:
        return "TUNGGAL"
    return "SUDAH REKAM"
