"""supervisor duties: report submissions, incidents, report indexes

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-01 16:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('counter_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_submissions'))
    )
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_submissions_period_start'), ['period_start'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('occurred_from', sa.DateTime(), nullable=True),
    sa.Column('occurred_to', sa.DateTime(), nullable=True),
    sa.Column('discovered_at', sa.DateTime(), nullable=False),
    sa.Column('counters', sa.String(length=255), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('number', name=op.f('uq_incidents_number'))
    )
    op.create_index('ix_audit_log_action_at', 'audit_log', ['action', 'at'], unique=False)
    op.create_index('ix_lookups_report', 'lookups', ['at', 'outcome', 'officer_id', 'method', 'counter_id'], unique=False)
    op.create_index('ix_cases_report', 'cases', ['opened_at', 'counter_id', 'decision', 'state'], unique=False)
    op.create_index('ix_balikan_items_created_at', 'balikan_items', ['created_at'], unique=False)
    op.create_index('ix_balikan_items_delivered_at', 'balikan_items', ['delivered_at'], unique=False)
    op.create_index('ix_lockouts_set_at', 'lockouts', ['set_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_lockouts_set_at', table_name='lockouts')
    op.drop_index('ix_balikan_items_delivered_at', table_name='balikan_items')
    op.drop_index('ix_balikan_items_created_at', table_name='balikan_items')
    op.drop_index('ix_cases_report', table_name='cases')
    op.drop_index('ix_lookups_report', table_name='lookups')
    op.drop_index('ix_audit_log_action_at', table_name='audit_log')
    op.drop_table('incidents')
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_submissions_period_start'))

    op.drop_table('report_submissions')
