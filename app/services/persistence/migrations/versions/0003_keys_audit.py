"""keys and audit: indexes for the record of processing and the case cross-check

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:45:00

Key ids are recorded in ``app_meta`` (row ``key_ids``) at run time: an existing database
adopts the keys its first audit record proves it was written with
(``app.services.key_binding``). On PostgreSQL the audit table is no longer open to
``PUBLIC`` for changes; the application role's grants are in the README ("PostgreSQL roles").
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_nik_hash'), ['nik_hash'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_audit_log_case_number'), ['case_number'], unique=False
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC')


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_case_number'))
        batch_op.drop_index(batch_op.f('ix_audit_log_nik_hash'))
