"""case reasons: a fixed list instead of free-text notes

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 16:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.String(length=200), nullable=True))
    # A return or refusal note was free text typed by an officer (it could name the
    # resident): keep only the structured decision.
    op.execute(
        "UPDATE cases SET note = NULL, reasons = 'other' "
        "WHERE decision IN ('return', 'refuse') AND note IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_column('reasons')
