"""retention redaction: the application role may only seal-redact audit details (PostgreSQL)

The application's role has no UPDATE on ``audit_log``. The daily purge replaces a detail past
its retention by a sealed marker through this function, which runs with the owner's rights
and does nothing else: it takes only a well-formed marker, only for a detail not yet redacted,
and changes no other column. A forged marker is still found by ``loket audit verify``.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-01 20:00:00
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

FUNCTION = "loket_redact_audit_detail(integer, text)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION loket_redact_audit_detail(target_seq integer, marker text)
        RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        BEGIN
            IF marker IS NULL OR marker !~ '^~redacted:[0-9a-f]{64}:[0-9a-f]{64}$' THEN
                RAISE EXCEPTION 'not a redaction marker';
            END IF;
            UPDATE audit_log SET detail = marker
            WHERE seq = target_seq AND detail NOT LIKE '~%';
            RETURN FOUND;
        END
        $$
        """
    )
    op.execute(f"REVOKE ALL ON FUNCTION {FUNCTION} FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}")
