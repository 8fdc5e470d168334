"""``loket audit verify [--checkpoint CODE] [--incremental]`` and ``loket audit checkpoint``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from app.domain.audit_chain import ChainProblem
from app.domain.i18n import N_, _
from app.services import audit as reasons
from app.services.audit import examine_snapshot
from app.services.audit_checkpoint import CheckpointInvalid

if TYPE_CHECKING:
    from app.services.app_core import AppServices

_REASONS = {
    reasons.EDITED: N_("record {seq} was edited"),
    reasons.REMOVED: N_("record {seq} was removed"),
    reasons.REORDERED: N_("the records were reordered at record {seq}"),
    reasons.HEAD_MISSING: N_("the head row is missing (the newest record is {seq})"),
    reasons.HEAD_MISMATCH: N_("the head row does not name the newest record ({seq})"),
    reasons.TRUNCATED: N_("the newest records were removed, from record {seq} on"),
    reasons.ERASED: N_("the whole audit trail was erased"),
    reasons.CASE_RECORDS_REMOVED: N_("the records of case {detail} were removed"),
    reasons.CHECKPOINT_TRUNCATED: N_(
        "records were removed after the checkpoint was printed: the trail ends before "
        "record {seq} ({detail})"
    ),
    reasons.CHECKPOINT_REWRITTEN: N_(
        "records up to {seq} were rewritten since the checkpoint was printed"
    ),
    reasons.VERIFIED_REWRITTEN: N_(
        "records up to {seq} were rewritten since the last verification"
    ),
    reasons.VERIFIED_TRUNCATED: N_(
        "records were removed after the last verification: the trail ends before record {seq} "
        "({detail})"
    ),
    reasons.VERIFIED_FORGED: N_(
        "the note of the last verification was changed without the agency's key"
    ),
}


def describe(problem: ChainProblem) -> str:
    """The problem as a sentence in the installed language."""
    template = _REASONS.get(problem.reason)
    if template is None:
        return f"{problem.reason} ({problem.seq})"
    return _(template).format(seq=problem.seq, detail=problem.detail)


def run_audit_cli(
    action: str,
    services: AppServices,
    *,
    checkpoints: Sequence[str] = (),
    incremental: bool = False,
    out: TextIO | None = None,
) -> int:
    """``verify`` (0 intact, 1 broken, 2 refused) or ``checkpoint`` (prints a code)."""
    stream = out or sys.stdout
    trail = services.audit
    if action == "checkpoint":
        with services.core.sessions() as session:
            code = trail.current_checkpoint(session)
        print(code, file=stream)
        return 0
    try:
        parsed = [trail.parse_checkpoint(code) for code in checkpoints]
    except CheckpointInvalid as error:
        print(error.message, file=sys.stderr)
        return 2
    # a read snapshot: the counters keep writing while a long trail is checked
    report = examine_snapshot(
        trail, services.core.engine, checkpoints=parsed, incremental=incremental
    )
    if report.problem is None:
        print(
            _("audit trail intact: {count} records (checked from record {start})").format(
                count=report.records, start=report.checked_from
            ),
            file=stream,
        )
        return 0
    print(_("audit trail NOT intact: {what}").format(what=describe(report.problem)), file=stream)
    return 1
