"""officer records: User-ID request form fields per officer, NDA bermaterai, the agency's SPTJM

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nda_bermaterai', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('officer_details',
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('employment_status', sa.String(length=32), nullable=False),
    sa.Column('position', sa.String(length=120), nullable=False),
    sa.Column('office_region_code', sa.String(length=16), nullable=False),
    sa.Column('office_name', sa.String(length=160), nullable=False),
    sa.Column('office_address', sa.String(length=255), nullable=False),
    sa.Column('local_user_id', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_details_officer_id_officers')),
    sa.PrimaryKeyConstraint('officer_id', name=op.f('pk_officer_details'))
    )
    op.create_table('agency_sptjm',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=120), nullable=False),
    sa.Column('head_position', sa.String(length=160), nullable=False),
    sa.Column('head_nip', sa.String(length=18), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('bermaterai', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_sptjm'))
    )


def downgrade() -> None:
    op.drop_table('agency_sptjm')
    op.drop_table('officer_details')
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_column('nda_bermaterai')
