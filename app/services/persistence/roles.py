"""PostgreSQL roles: the owner migrates; the application's role may only add to the audit trail.

The owner role (``database_owner_url``) owns every table and runs the migrations. The
application role (``database_url``) gets what a counter needs, but on ``audit_log`` only
INSERT and SELECT: no UPDATE, DELETE or TRUNCATE, so no counter PC (and no officer with
its password) can rewrite or cut the trail. Retention replaces old details by sealed markers
through one owner's function that can do nothing else (migration 0008).
"""

from __future__ import annotations

import re

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(app_role: str, owner_role: str) -> list[str]:
    """The SQL the owner runs (after each migration) to give ``app_role`` its rights."""
    for name in (app_role, owner_role):
        if not _ROLE.match(name):
            raise ValueError(f"not a plain PostgreSQL role name: {name!r}")
    app, owner = f'"{app_role}"', f'"{owner_role}"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {app}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {app}",
        "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC",
        # retention: details are replaced by sealed markers only (migration 0008)
        f"GRANT EXECUTE ON FUNCTION loket_redact_audit_detail(integer, text) TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
