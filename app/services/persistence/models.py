"""Tables. Nothing here may hold population data: only the agency's own case data,
counts, keyed hashes of NIKs, encrypted NIKs owed as data balikan, and the audit chain."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING)


class Officer(Base):
    """A person who may sign in at a counter."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    nda_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    nda_reference: Mapped[str | None] = mapped_column(String(120), nullable=True)
    #: The NDA carries a duty stamp (bermaterai), as the agreements ask.
    nda_bermaterai: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CaseRow(Base):
    """A service case: the agency's own record of serving one applicant."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    counter_id: Mapped[str] = mapped_column(String(64))
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    programme: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(255))
    access_method: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), index=True)
    nik_source: Mapped[str | None] = mapped_column(String(16), nullable=True)
    nik_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    documents_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    lookups: Mapped[int] = mapped_column(Integer, default=0)
    data_accessed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reasons: Mapped[str | None] = mapped_column(String(200), nullable=True)
    document_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recipient_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LookupRow(Base):
    """One hit on the gateway (or one portal look-up recorded by the officer): counts only."""

    __tablename__ = "lookups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    counter_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))


class QuotaDay(Base):
    """Hits used by the agency on one day, shared by every counter on the database."""

    __tablename__ = "quota_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)
    gateway_left: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class GuardHit(Base):
    """What the pattern guard needs for its time window (keyed hashes), purged after it."""

    __tablename__ = "guard_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    officer_id: Mapped[int] = mapped_column(Integer)
    prefix_hash: Mapped[str] = mapped_column(String(64), index=True)
    nik_hash: Mapped[str] = mapped_column(String(64))
    serial: Mapped[int] = mapped_column(Integer)


class Lockout(Base):
    """An access block set by a gateway answer (R-05), shared by all counters."""

    __tablename__ = "lockouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    set_at: Mapped[datetime] = mapped_column(DateTime)
    set_by: Mapped[str] = mapped_column(String(64))
    until_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditRecord(Base):
    """Append-only, hash-chained record of who did what and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    counter_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: Only on records that name a NIK (lookups, answers, card reads, data balikan); a
    #: case step names its case, whose row holds the hash. Partial index (migration 0010).
    nik_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class BalikanItem(Base):
    """One data balikan owed for a resident whose data was accessed (outbox)."""

    __tablename__ = "balikan_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    nik_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    nik_hash: Mapped[str] = mapped_column(String(64))
    id_lembaga: Mapped[str] = mapped_column(String(16))
    nama_lembaga: Mapped[str] = mapped_column(String(255))
    params: Mapped[str] = mapped_column(Text)
    #: The agreement's data balikan fields as queued: JSON list of {name, label, value}
    #: (a snapshot: a later profile change never alters an item already owed).
    fields: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(255), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    exported_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # How it was delivered: "web_service" or "export" (a confirmed upload of an exported file).
    delivered_via: Mapped[str | None] = mapped_column(String(16), nullable=True)


class BalikanExport(Base):
    """One exported file of owed items (CSV/XLSX) awaiting a supervisor's upload confirmation."""

    __tablename__ = "balikan_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(8))
    item_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    counter_id: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class BalikanExportItem(Base):
    """Which items an export file holds (an item may be in several re-exports)."""

    __tablename__ = "balikan_export_items"

    export_id: Mapped[int] = mapped_column(ForeignKey("balikan_exports.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("balikan_items.id"), primary_key=True, index=True
    )


class MetaValue(Base):
    """Small key/value facts about this installation (never population data)."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class OfficerDetails(Base):
    """The User-ID request form fields of one officer (staff data, not population data)."""

    __tablename__ = "officer_details"

    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    nip: Mapped[str] = mapped_column(String(18), default="")
    employment_status: Mapped[str] = mapped_column(String(32))
    position: Mapped[str] = mapped_column(String(120))
    office_region_code: Mapped[str] = mapped_column(String(16))
    office_name: Mapped[str] = mapped_column(String(160))
    office_address: Mapped[str] = mapped_column(String(255))
    local_user_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class AgencySptjm(Base):
    """A Surat Pernyataan Tanggung Jawab Mutlak signed by the agency's responsible head
    (the newest is in force; earlier ones stay on record)."""

    __tablename__ = "agency_sptjm"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    head_name: Mapped[str] = mapped_column(String(120))
    head_position: Mapped[str] = mapped_column(String(160))
    head_nip: Mapped[str] = mapped_column(String(18), default="")
    signed_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120))
    bermaterai: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
