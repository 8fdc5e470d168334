"""The case row inside one transaction: read once (Core), written once (one UPDATE at commit).

The case path reads the row with one ``SELECT … FOR UPDATE`` per transaction and keeps the
values in a plain object; what a step changes is collected and written by one Core
``UPDATE … WHERE id = …`` just before the commit (:func:`write_case_rows`, a
``before_commit`` hook on the sessions). No ORM identity map, no flush, no refresh.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Table, bindparam, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.services.persistence.models import CaseRow

#: ``session.info`` key: ``(transaction, {case id: CaseFacts})`` of the current transaction.
LOCKED_ROWS = "loket_locked_case_rows"

_TABLE: Table = CaseRow.__table__  # type: ignore[assignment]
#: Every column but the times: the case path writes those and never reads them (no
#: text-to-datetime parsing per step).
_READ = tuple(c for c in _TABLE.columns if c.key not in ("opened_at", "updated_at", "closed_at"))
_NAMES = tuple(column.key for column in _READ)
_TIMES = frozenset({"opened_at", "updated_at", "closed_at"})
#: Built once (compiled forms cached): the row, locked for the transaction.
_SELECT = select(*_READ).where(_TABLE.c.id == bindparam("case_id")).with_for_update()
#: The SET clause comes from the parameters given (the changed columns only).
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("case_id"))
#: A state move: the row changes only if it is still in the state the case believes it
#: in; the row as it is then comes back with it (no SELECT before it).
_MOVE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("case_id"), _TABLE.c.state == bindparam("expected_state"))
    .returning(*_READ)
)


class CaseFacts:
    """The columns of one case row as read in this transaction; writes are collected.

    Reads and writes use the column names of :class:`CaseRow` (``row.state``,
    ``row.nik_hash = …``); a name that is not a column is an error. The time columns are
    written, not read."""

    __slots__ = ("_changes", "_values")
    _changes: dict[str, Any]
    _values: dict[str, Any]

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_changes", {})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._values and name not in _TIMES:
            raise AttributeError(name)
        self._values[name] = value
        self._changes[name] = value

    @property
    def changes(self) -> dict[str, Any]:
        """The columns set since the row was read (or last written)."""
        return self._changes


def _held_rows(session: Session) -> dict[int, CaseFacts]:
    transaction = session.get_transaction()
    held: tuple[object, dict[int, CaseFacts]] | None = session.info.get(LOCKED_ROWS)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        session.info[LOCKED_ROWS] = held
    return held[1]


def held_case_row(session: Session, case_id: int) -> CaseFacts | None:
    """The case row if this transaction already read it (no statement), else None."""
    return _held_rows(session).get(case_id)


def move_case_row(
    session: Session, case_id: int, expected_state: str, values: dict[str, Any]
) -> CaseFacts | None:
    """One ``UPDATE … WHERE id = … AND state = …`` with ``values`` (and the changes not yet
    written of a row already read); the row as updated, or None when its state was not
    ``expected_state`` (changed elsewhere: nothing was written)."""
    rows = _held_rows(session)
    held = rows.get(case_id)
    pending = dict(held.changes) if held is not None else {}
    params = {**pending, **values, "case_id": case_id, "expected_state": expected_state}
    found = session.connection().execute(_MOVE, params).first()
    if found is None:
        return None
    current = dict(zip(_NAMES, found, strict=True))
    if held is None:
        held = rows[case_id] = CaseFacts(current)
    else:  # the same object: what its holders set after the move is written at commit
        held._values.update(current)
        held.changes.clear()
    return held


def read_case_row(session: Session, case_id: int) -> CaseFacts:
    """The case row, locked for this transaction (several counters share cases).

    Read once per transaction; a further call in the same transaction returns the same
    object without a statement."""
    rows = _held_rows(session)
    row = rows.get(case_id)
    if row is None:
        found = session.connection().execute(_SELECT, {"case_id": case_id}).one()
        row = CaseFacts(dict(zip(_NAMES, found, strict=True)))
        rows[case_id] = row
    return row


def write_case_rows(session: Session) -> None:
    """Write each case row changed in this transaction: one UPDATE per row (or none)."""
    held: tuple[object, dict[int, CaseFacts]] | None = session.info.get(LOCKED_ROWS)
    if held is None or held[0] is not session.get_transaction():
        return
    for case_id, row in held[1].items():
        changes = row.changes
        if changes:
            session.connection().execute(_UPDATE, {**changes, "case_id": case_id})
            changes.clear()


#: The session factories whose commits already write the case rows (``event.contains``
#: is not used: it keys by ``id()``, which a new factory may reuse after an old one died).
_INSTALLED: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def install_row_writer(sessions: sessionmaker[Session]) -> None:
    """Have every commit of ``sessions`` write the case rows changed in its transaction."""
    if sessions not in _INSTALLED:
        event.listen(sessions, "before_commit", write_case_rows)
        _INSTALLED.add(sessions)
