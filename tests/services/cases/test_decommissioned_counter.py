"""After ``loket decommission`` (a shared database keeps its block): no lookup and no card read."""

from __future__ import annotations

import pytest

from app.services.cases import LookupBlocked, NikSource
from app.services.persistence.models import Lockout
from tests.services.cases.conftest import World


def test_a_decommissioned_counter_refuses_card_reads_and_lookups(world: World) -> None:
    cases = world.services.cases
    assert cases.may_read_card(world.officer)
    case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, world.officer, {"KTP-el": True})
    with world.services.core.sessions.begin() as session:
        session.add(Lockout(kind="decommissioned", set_at=world.clock(), set_by="LOKET-1"))
    with pytest.raises(LookupBlocked) as refused:
        cases.may_read_card(world.officer)
    assert "dinonaktifkan" in refused.value.message  # the demo speaks Indonesian
    with pytest.raises(LookupBlocked):
        cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    assert world.simulator.hits_today() == 0
