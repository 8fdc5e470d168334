"""What a piece of work sends to the database: its statements (with their parameters) and the
SQLite safety level each of its commits ran at."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, event


@dataclass
class SqlTrace:
    """The statements and commit levels seen while :func:`trace` ran its work."""

    statements: list[tuple[str, object]] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)

    def texts(self) -> list[str]:
        """The statements' SQL, in order."""
        return [statement for statement, _parameters in self.statements]


def trace(engine: Engine, work: Callable[[], object]) -> SqlTrace:
    """Run ``work()`` with ``engine`` (SQLite) watched; what it sent (commit levels: 2 is
    ``FULL``, 1 ``NORMAL``)."""
    seen = SqlTrace()

    def _statement(
        _conn: object, _cursor: object, statement: str, parameters: object, *_rest: object
    ) -> None:
        seen.statements.append((statement, parameters))

    def _commit(connection: object) -> None:
        dbapi = connection.connection.dbapi_connection  # type: ignore[attr-defined]
        seen.levels.append(int(dbapi.execute("PRAGMA synchronous").fetchone()[0]))

    event.listen(engine, "before_cursor_execute", _statement)
    event.listen(engine, "commit", _commit)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", _statement)
        event.remove(engine, "commit", _commit)
    return seen
