"""Indonesian region codes (province, regency/city, kecamatan) used in a NIK."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache

from app.domain.resource_files import resource_path

LEVELS = ("provinsi", "kabupaten_kota", "kecamatan")
_CODE_LENGTH = {"provinsi": 2, "kabupaten_kota": 4, "kecamatan": 6}


@dataclass(frozen=True, slots=True)
class Region:
    """One code of the official list, with the editions that contain it."""

    code: str
    level: str
    name: str
    newest_edition: int
    oldest_edition: int


class RegionTable:
    """All region codes of every merged edition; old codes stay valid (see data README)."""

    def __init__(self, regions: list[Region]) -> None:
        self._by_code = {region.code: region for region in regions}

    @classmethod
    def from_csv(cls, text: str) -> RegionTable:
        """Parse the ``kode,tingkat,nama,edisi_terbaru,edisi_tertua`` table."""
        regions: list[Region] = []
        for row in csv.DictReader(io.StringIO(text)):
            level = row["tingkat"].strip()
            code = row["kode"].strip()
            if level not in _CODE_LENGTH or len(code) != _CODE_LENGTH[level] or not code.isdigit():
                raise ValueError(f"invalid region row: {row!r}")
            regions.append(
                Region(
                    code=code,
                    level=level,
                    name=row["nama"].strip(),
                    newest_edition=int(row["edisi_terbaru"]),
                    oldest_edition=int(row["edisi_tertua"]),
                )
            )
        return cls(regions)

    def get(self, code: str) -> Region | None:
        """The region with this code, or None."""
        return self._by_code.get(code)

    def name(self, code: str) -> str | None:
        """The (newest) name of a code, or None when the code is in no edition."""
        region = self._by_code.get(code)
        return region.name if region else None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def codes(self, level: str) -> list[str]:
        """All codes of one level (``provinsi``, ``kabupaten_kota``, ``kecamatan``), sorted."""
        if level not in _CODE_LENGTH:
            raise ValueError(f"unknown level {level!r}")
        return sorted(r.code for r in self._by_code.values() if r.level == level)


@cache
def default_regions() -> RegionTable:
    """The shipped region table, loaded once."""
    text = resource_path("kode_wilayah.csv").read_text(encoding="utf-8")
    return RegionTable.from_csv(text)
