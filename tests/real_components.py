"""The one place that decides what a missing real component means for a test run.

A real component (pcscd with vpcd, PostgreSQL, gcc, PyInstaller, poppler, …) that a test needs
and cannot get is a **failure**. A developer who wants to skip on purpose sets
``LOKET_ALLOW_SKIP=1``; the run then skips those tests and says so loudly at the end (see
``pytest_terminal_summary`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

ALLOW_SKIP_ENV = "LOKET_ALLOW_SKIP"
SKIP_PREFIX = "[real component missing]"


def skipping_allowed() -> bool:
    """True when the developer asked to skip tests whose real component is missing."""
    return os.environ.get(ALLOW_SKIP_ENV, "").strip().lower() in ("1", "true", "yes")


def component_missing(component: str, reason: str) -> NoReturn:
    """Fail the test (or skip it, when skipping was allowed on purpose)."""
    message = f"{SKIP_PREFIX} {component}: {reason}"
    if skipping_allowed():
        pytest.skip(message)
    pytest.fail(
        f"{message}\nThe suite needs the real {component}; ./scripts/test installs it. "
        f"Set {ALLOW_SKIP_ENV}=1 to skip such tests on purpose.",
        pytrace=False,
    )
