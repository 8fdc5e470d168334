"""Locate the files shipped in ``resources/`` in every installed form.

Source checkout and editable install: ``<repo>/resources``. Wheel: the build
configuration copies the folder to ``app/_resources``. Frozen bundle
(PyInstaller): ``<bundle>/resources``. Reading a shipped, read-only file is the
only file access the domain allows itself.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


class ResourcesMissing(RuntimeError):
    """The application's resource folder cannot be found (a broken installation)."""


@cache
def resources_dir() -> Path:
    """The folder holding the application's resources."""
    package_dir = Path(__file__).resolve().parent.parent
    candidates = [package_dir / "_resources", package_dir.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    for candidate in candidates:
        if (candidate / "kode_wilayah.csv").is_file():
            return candidate
    raise ResourcesMissing(
        "resources folder not found; looked in: " + ", ".join(str(c) for c in candidates)
    )


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource file, e.g. ``resource_path("profiles", "x.toml")``."""
    return resources_dir().joinpath(*parts)
