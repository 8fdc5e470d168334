"""audit NIK-hash index over the records that name a NIK only

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00

The steps of a case no longer repeat the resident's NIK hash in their audit records (the
case row holds it; the record of processing finds the case's records through it), so most
records have none. The index for the record of processing now covers only the records that
name a NIK (a partial index: no entry for the others). The chain itself is not touched.
"""

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_audit_log_nik_hash', table_name='audit_log')
    op.execute(
        'CREATE INDEX ix_audit_log_nik_hash ON audit_log (nik_hash) WHERE nik_hash IS NOT NULL'
    )


def downgrade() -> None:
    op.drop_index('ix_audit_log_nik_hash', table_name='audit_log')
    op.create_index('ix_audit_log_nik_hash', 'audit_log', ['nik_hash'], unique=False)
