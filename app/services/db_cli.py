"""``loket db upgrade | current``: schema migrations (several counters may start at once)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.domain.i18n import _
from app.services.persistence.db import (
    DatabaseError,
    create_db_engine,
    current_revision,
    head_revision,
    upgrade_database,
)
from app.services.settings import Settings


def run_db_cli(
    argv: Sequence[str], settings: Settings, *, url: str | None = None, out: TextIO | None = None
) -> int:
    """Run one ``loket db`` action on the configured database; return the exit status."""
    stream = out or sys.stdout
    parser = argparse.ArgumentParser(prog="loket db", description="Database schema tools.")
    sub = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    sub.add_parser("upgrade", help="migrate to the newest schema (backup first on SQLite)")
    sub.add_parser("current", help="show the schema revision of the database and of this app")
    grants = sub.add_parser(
        "grants", help="print the SQL giving the app's PostgreSQL role its rights (owner runs it)"
    )
    grants.add_argument("--app-role", required=True, help="the role in database_url")
    grants.add_argument("--owner-role", required=True, help="the role in database_owner_url")
    args = parser.parse_args(list(argv))
    if args.db_command == "grants":
        from app.services.persistence.roles import app_role_grants

        try:
            statements = app_role_grants(args.app_role, args.owner_role)
        except ValueError as error:
            print(str(error), file=sys.stderr)
            return 2
        print(";\n".join(statements) + ";", file=stream)
        return 0
    engine = create_db_engine(url or settings.database_url or None)
    try:
        if args.db_command == "current":
            print(
                _("Database schema: {current}; this version of the app: {head}").format(
                    current=current_revision(engine) or "-", head=head_revision()
                ),
                file=stream,
            )
            return 0
        backup = upgrade_database(engine)
        print(_("Database schema is at {head}.").format(head=head_revision()), file=stream)
        if backup:
            print(_("Backup taken first: {path}").format(path=backup), file=stream)
        return 0
    except DatabaseError as error:
        print(error.message, file=sys.stderr)
    except SQLAlchemyError as error:
        print(
            _("The database cannot be reached ({detail}).").format(detail=type(error).__name__),
            file=sys.stderr,
        )
    finally:
        engine.dispose()
    return 1
