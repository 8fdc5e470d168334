"""The daily report carries the audit trail's signed checkpoint, and that printed code later
catches records cut from the trail (issue 13: a checkpoint that left the database)."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select

from app.services.persistence.models import AuditRecord
from tests.pdf_check import pdf_text
from tests.services.cases.conftest import World


def test_the_printed_checkpoint_detects_records_cut_after_printing(world: World) -> None:
    services = world.services
    for _ in range(3):
        case = services.cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
        services.cases.cancel(case, world.officer, "")
    pdf = services.report("daily", world.clock().date(), world.supervisor)
    text = " ".join(pdf_text(pdf).split())
    match = re.search(r"Titik periksa jejak audit: (LKA-\S+)", text)
    assert match is not None, text[-400:]
    printed = services.audit.parse_checkpoint(match.group(1))
    with services.core.sessions() as session:
        assert services.audit.examine(session, checkpoints=[printed]).problem is None
    # someone with the database cuts the newest records (up to the printed head)
    with services.core.sessions.begin() as session:
        newest = session.execute(select(func.max(AuditRecord.seq))).scalar_one()
        session.execute(delete(AuditRecord).where(AuditRecord.seq > printed.seq - 2))
        assert newest >= printed.seq
    with services.core.sessions() as session:
        assert services.audit.examine(session, checkpoints=[printed]).problem is not None
