"""SQLite planner statistics for the report indexes (migration 0009).

SQLite skip-scans a group-first index (one time range per group, counted in index order)
only when ``sqlite_stat1`` tells it that the leading columns have few distinct values.
Without statistics it sorts the whole period instead. :func:`refresh_statistics` runs a
sampled ``ANALYZE`` (a bounded number of rows per index: milliseconds even on a large
database) when a table has no statistics yet or has doubled or halved since. PostgreSQL
keeps its own statistics (autovacuum) and groups by hashing: nothing to do there.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

#: Tables whose report indexes need statistics.
REPORT_TABLES = ("lookups", "cases")
#: Rows ANALYZE samples per index (``PRAGMA analysis_limit``).
ANALYSIS_LIMIT = 2000
#: Below this many rows a table is counted fast whatever the plan.
_SMALL = 1000


def _rows(session: Session, table: str) -> int:
    # max(rowid) is a single B-tree descent; close enough to the row count for a staleness test
    value = session.execute(text(f"SELECT max(rowid) FROM {table}")).scalar()  # noqa: S608
    return int(value or 0)


def _analysed_rows(session: Session, table: str) -> int | None:
    """Rows the last ANALYZE saw in ``table`` (None: never analysed)."""
    exists = session.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    ).first()
    if exists is None:
        return None
    stat = session.execute(
        text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table AND idx IS NOT NULL LIMIT 1"),
        {"table": table},
    ).scalar()
    if not stat:
        return None
    first = str(stat).split(" ", 1)[0]
    return int(first) if first.isdigit() else None


def stale_tables(session: Session, tables: tuple[str, ...] = REPORT_TABLES) -> list[str]:
    """The ``tables`` whose statistics are missing or out of date (SQLite only)."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    stale = []
    for table in tables:
        rows = _rows(session, table)
        if rows < _SMALL:
            continue
        analysed = _analysed_rows(session, table)
        if analysed is None or rows > 2 * analysed or 2 * rows < analysed:
            stale.append(table)
    return stale


def refresh_statistics(
    sessions: sessionmaker[Session], tables: tuple[str, ...] = REPORT_TABLES
) -> list[str]:
    """Analyse (sampled) the ``tables`` whose statistics are stale; return their names."""
    with sessions() as session:
        stale = stale_tables(session, tables)
    if not stale:
        return []
    with sessions.begin() as session:
        session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
        for table in stale:
            session.execute(text(f"ANALYZE {table}"))
    log.info("planner statistics refreshed for %s", ", ".join(stale))
    return stale
