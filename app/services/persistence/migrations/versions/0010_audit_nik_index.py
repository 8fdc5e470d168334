"""audit: NIK-hash index over the records that name a NIK only; the head follows each record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00

The steps of a case no longer repeat the resident's NIK hash in their audit records (the
case row holds it; the record of processing finds the case's records through it), so most
records have none. The index for the record of processing now covers only the records that
name a NIK (a partial index: no entry for the others). The chain itself is not touched.

The head row (``app_meta.audit_head``) is moved by a trigger on each new record, in the
statement that inserts it: an append is one statement (the application inserts the record
only while the head is still the record it follows).
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


_SET_HEAD = (
    "UPDATE app_meta SET value = CAST(NEW.seq AS TEXT) || ':' || NEW.hash "
    "WHERE \"key\" = 'audit_head'"
)


def upgrade() -> None:
    op.drop_index('ix_audit_log_nik_hash', table_name='audit_log')
    op.execute(
        'CREATE INDEX ix_audit_log_nik_hash ON audit_log (nik_hash) WHERE nik_hash IS NOT NULL'
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE FUNCTION loket_audit_head() RETURNS trigger LANGUAGE plpgsql AS $$ '
            f'BEGIN {_SET_HEAD}; RETURN NULL; END $$'
        )
        op.execute(
            'CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log '
            'FOR EACH ROW EXECUTE FUNCTION loket_audit_head()'
        )
    else:
        op.execute(
            f'CREATE TRIGGER audit_log_head AFTER INSERT ON audit_log BEGIN {_SET_HEAD}; END'
        )


def downgrade() -> None:
    op.execute('DROP TRIGGER audit_log_head' + (
        ' ON audit_log' if op.get_bind().dialect.name == 'postgresql' else ''
    ))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION loket_audit_head()')
    op.drop_index('ix_audit_log_nik_hash', table_name='audit_log')
    op.create_index('ix_audit_log_nik_hash', 'audit_log', ['nik_hash'], unique=False)
