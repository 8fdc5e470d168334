"""Locate bundled resources in every installed form of the application."""

from __future__ import annotations

import sys
from pathlib import Path

import app


def resources_dir() -> Path:
    """The resources directory: frozen bundle, wheel install, or source checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen is not None:
        return Path(frozen) / "resources"
    package = Path(app.__file__).resolve().parent
    wheel = package / "_resources"
    if wheel.is_dir():
        return wheel
    return package.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a resource below the resources directory (the file may not exist)."""
    return resources_dir().joinpath(*parts)
