"""Cases interrupted by a real SIGKILL (not a clean shutdown) are found and finished, and the
data balikan they owe is released: nothing owed stays hidden (R-20)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.case_flow import CaseState
from app.services.balikan.outbox import PENDING
from app.services.persistence.models import BalikanItem, CaseRow
from app.services.secrets import MemorySecretStore
from tests.services.cases.conftest import FakeClock, make_world

ROOT = Path(__file__).resolve().parents[3]


def killed_at(data_dir: Path, stop_at: str) -> tuple[str, MemorySecretStore]:
    """Run the child until it kills itself; the case number and the demo's secrets."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.services.cases.crash_case", str(data_dir), stop_at],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    first, killing = result.stdout.splitlines()[-2:]
    assert killing == "KILLING"
    state = json.loads(first)
    return state["case"], MemorySecretStore(state["secrets"])


@pytest.mark.parametrize(
    ("stop_at", "state"),
    [("looked_up", CaseState.CROSS_CHECKED), ("refused", CaseState.REFUSED),
     ("issued", CaseState.ISSUED)],
)
def test_a_case_killed_mid_flow_is_listed_and_finished_with_its_balikan_released(
    tmp_path: Path, stop_at: str, state: CaseState
) -> None:
    number, secrets = killed_at(tmp_path / "data", stop_at)
    world = make_world(tmp_path / "data", clock=FakeClock(), secrets=secrets)
    try:
        cases = world.services.cases
        with world.services.core.sessions() as session:
            row = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()
            assert row.state == state.value  # every committed step survived the kill
            item = session.execute(select(BalikanItem)).scalar_one()
            assert item.status == "held"  # owed, held until the case ends
        assert [c.number for c in cases.interrupted_cases()] == [number]
        cases.cancel_interrupted(world.officer, number, "")
        assert cases.interrupted_cases() == []
        with world.services.core.sessions() as session:
            item = session.execute(select(BalikanItem)).scalar_one()
            assert item.status == PENDING  # released for sending
            assert world.services.outbox.nik_of(item) == world.examples()["found"]
    finally:
        world.services.core.close()
