"""Child process of the case crash tests: drive one case to a point, then die by SIGKILL.

Usage: ``python -m tests.services.cases.crash_case DATA_DIR STOP_AT`` with STOP_AT one of
``looked_up``, ``refused``, ``issued``. It prints the demo's secrets as JSON (so the test can
open the same database with the same keys), then ``KILLING`` and kills itself: no clean-up,
no close, no flush beyond what each committed transaction already made durable.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path


def main() -> None:
    data_dir, stop_at = Path(sys.argv[1]), sys.argv[2]
    from app.domain.case_reasons import CaseReason
    from app.services.cases import Decision, NikSource
    from app.services.secrets import MemorySecretStore
    from tests.services.cases.conftest import FakeClock, make_world

    secrets = MemorySecretStore()
    world = make_world(data_dir, clock=FakeClock(), secrets=secrets)
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, world.officer, {"KTP-el": True})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    if stop_at == "refused":
        cases.decide(case, world.officer, Decision.REFUSE, reasons=(CaseReason.NOT_ELIGIBLE,))
    elif stop_at == "issued":
        cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
        cases.issue(case, world.officer, "SK-9")
    print(json.dumps({"case": case.number, "secrets": secrets._values}), flush=True)
    print("KILLING", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
