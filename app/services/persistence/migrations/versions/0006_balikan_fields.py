"""data balikan fields: each outbox item carries the agreement's fields as queued

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 19:45:00

Items queued before this revision carry only the recipient number in ``params``; the
number is copied into the snapshot as the field ``nomor_penerima`` (the name the shipped
profiles give the recipient's number), so exports line such items up with new ones.
Notes (nothing issued) are not fields and are left as they are.
"""

import json

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: The default agreed key of the recipient number (settings ``balikan.number_key``).
NUMBER_KEY = 'NO_PENERIMA'


def _snapshot(params: str | None) -> str | None:
    """The fields of an old item, from the number in its params (None: leave empty)."""
    try:
        data = json.loads(params or '[]')
    except ValueError:
        return None
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    number = data[0].get(NUMBER_KEY)
    if not isinstance(number, str) or not number.strip():
        return None
    return json.dumps(
        [{'name': 'nomor_penerima', 'label': 'Nomor penerima', 'value': number.strip()}],
        ensure_ascii=False,
    )


def upgrade() -> None:
    with op.batch_alter_table('balikan_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fields', sa.Text(), server_default='[]', nullable=False))
    items = sa.table(
        'balikan_items',
        sa.column('id', sa.Integer()),
        sa.column('params', sa.Text()),
        sa.column('fields', sa.Text()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(items.c.id, items.c.params)).all()
    for item_id, params in rows:
        snapshot = _snapshot(params)
        if snapshot is not None:
            bind.execute(items.update().where(items.c.id == item_id).values(fields=snapshot))


def downgrade() -> None:
    with op.batch_alter_table('balikan_items', schema=None) as batch_op:
        batch_op.drop_column('fields')
