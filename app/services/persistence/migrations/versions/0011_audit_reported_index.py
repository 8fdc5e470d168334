"""audit: the (action, at) index holds only the actions looked up by period

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:00:00

Reports count card reads, refusals, overrides and lock-outs per period, and the officers'
record lists officer changes per period; nothing looks up a case step's record by action and
time. The index kept an entry for every record (about 360 bytes of every case, and one more
B-tree written by every step). It now covers the reported actions only (a partial index);
their queries repeat its condition. The chain itself is not touched.
"""

from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# the condition as it stands in this revision (the application's copy may grow later)
_REPORTED = (
    "action IN ('card.read', 'guard.refused', 'quota.refused', 'lookup.refused', "
    "'guard.override', 'login.locked', 'officer.created', 'officer.disabled', "
    "'officer.enabled', 'officer.role_changed', 'officer.nda_recorded', "
    "'officer.details_recorded')"
)


def upgrade() -> None:
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
    op.execute(f"CREATE INDEX ix_audit_log_reported ON audit_log (action, at) WHERE {_REPORTED}")


def downgrade() -> None:
    op.drop_index("ix_audit_log_reported", table_name="audit_log")
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"], unique=False)
