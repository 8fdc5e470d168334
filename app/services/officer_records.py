"""Officer records the agreements ask for (issue 15).

- **SPTJM**: the Surat Pernyataan Tanggung Jawab Mutlak signed (bermaterai) by the agency's
  responsible head (Juknis seed 000 and 001, "Penanggung jawab ... wajib menandatangani
  SPTJM bermaterai"): head's name, position, NIP, date, reference.
- **NDA per officer**: date, reference and whether it carries a duty stamp (bermaterai).
- **User-ID request form** per officer (Juknis "form permohonan User ID yang memuat"): NIK,
  full name, NIP, employment status, position, office region code, office name and address,
  and (seed 001) the officer's user id in the local application.
- **Changes** of officers (added, deactivated, reactivated, role changed, NDA recorded or
  renewed, form details changed) for a period, for the report to Dinas Dukcapil; read from
  the audit trail, so changes made before these records existed are listed too.

The officer's NIK is staff data, not population data; it is still never written to a log or
to the audit trail (the audit detail refuses a ``nik`` key in any case).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.i18n import N_
from app.services.audit import AuditTrail
from app.services.clock import Clock, system_clock
from app.services.officer_form import (
    EMPLOYMENT_STATUSES,
    NIP_PATTERN,
    InvalidNip,
    OfficerRecordError,
    RecordFieldMissing,
    UserIdForm,
    validate_form,
)
from app.services.officers import NotPermitted, OfficerView, Role
from app.services.persistence.models import AgencySptjm, AuditRecord, Officer, OfficerDetails
from app.services.persistence.supervisor_models import action_in_reported

__all__ = [
    "CHANGE_KINDS",
    "CHANGE_LABELS",
    "EMPLOYMENT_STATUSES",
    "InvalidNip",
    "OfficerChange",
    "OfficerRecord",
    "OfficerRecordError",
    "OfficerRecords",
    "RecordFieldMissing",
    "Sptjm",
    "UserIdForm",
    "validate_form",
]

#: Audit action → change kind (the report to Dukcapil lists these).
CHANGE_KINDS = {
    "officer.created": "added",
    "officer.disabled": "deactivated",
    "officer.enabled": "reactivated",
    "officer.role_changed": "role_changed",
    "officer.nda_recorded": "nda_renewed",
    "officer.details_recorded": "details_changed",
}
#: Change kind → English label msgid (official papers show it in Indonesian).
CHANGE_LABELS = {
    "added": N_("Officer added"),
    "deactivated": N_("Officer deactivated"),
    "reactivated": N_("Officer reactivated"),
    "role_changed": N_("Role changed"),
    "nda_renewed": N_("NDA recorded or renewed"),
    "details_changed": N_("User-ID form details changed"),
}


@dataclass(frozen=True, slots=True)
class OfficerRecord:
    """One officer as the User-ID form and the export show it."""

    officer_id: int
    username: str
    display_name: str
    role: Role
    active: bool
    nda_date: date | None
    nda_reference: str | None
    nda_bermaterai: bool
    form: UserIdForm | None


@dataclass(frozen=True, slots=True)
class Sptjm:
    """An SPTJM signed by the agency's responsible head."""

    head_name: str
    head_position: str
    head_nip: str
    signed_on: date
    reference: str
    bermaterai: bool
    recorded_at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class OfficerChange:
    """One change of officers in a period (no NIK, no form values)."""

    at: datetime
    username: str
    kind: str
    detail: str
    actor: str


def _record(row: Officer, details: OfficerDetails | None) -> OfficerRecord:
    form = None
    if details is not None:
        form = UserIdForm(
            nik=details.nik,
            nip=details.nip,
            employment_status=details.employment_status,
            position=details.position,
            office_region_code=details.office_region_code,
            office_name=details.office_name,
            office_address=details.office_address,
            local_user_id=details.local_user_id,
        )
    return OfficerRecord(
        officer_id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        active=row.active,
        nda_date=row.nda_date,
        nda_reference=row.nda_reference,
        nda_bermaterai=bool(row.nda_bermaterai),
        form=form,
    )


def _sptjm(row: AgencySptjm) -> Sptjm:
    return Sptjm(
        head_name=row.head_name,
        head_position=row.head_position,
        head_nip=row.head_nip,
        signed_on=row.signed_on,
        reference=row.reference,
        bermaterai=row.bermaterai,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


class OfficerRecords:
    """Record and read the SPTJM, NDAs, User-ID forms and officer changes (administrators)."""

    def __init__(
        self, sessions: sessionmaker[Session], audit: AuditTrail, clock: Clock = system_clock
    ) -> None:
        self._sessions = sessions
        self._audit = audit
        self._clock = clock

    @staticmethod
    def _admin(actor: OfficerView) -> str:
        if actor.role is not Role.ADMINISTRATOR:
            raise NotPermitted(actor.username)
        return actor.username

    # ------------------------------------------------------------------ officers
    def save_form(self, actor: OfficerView, officer_id: int, form: UserIdForm) -> OfficerRecord:
        """Record (or correct) an officer's User-ID form fields."""
        who = self._admin(actor)
        form = validate_form(form)
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer_id)
            details = session.get(OfficerDetails, officer_id)
            if details is None:
                details = OfficerDetails(officer_id=officer_id)
                session.add(details)
            changed = sorted(
                name
                for name in UserIdForm.__slots__
                if getattr(details, name, None) != getattr(form, name)
            )
            for name in UserIdForm.__slots__:
                setattr(details, name, getattr(form, name))
            details.updated_at = self._clock()
            self._audit.append(  # which fields changed, never their values
                session,
                who,
                "officer.details_recorded",
                detail={"username": row.username, "fields": ",".join(changed)},
            )
            return _record(row, details)

    def record_nda(
        self,
        actor: OfficerView,
        officer_id: int,
        nda_date: date,
        reference: str,
        *,
        bermaterai: bool,
    ) -> OfficerRecord:
        """Record the officer's signed NDA (a later one renews it), with its duty stamp."""
        who = self._admin(actor)
        if not reference.strip():
            raise RecordFieldMissing("nda_reference")
        if nda_date > self._clock().date():
            raise OfficerRecordError("nda_date in the future")
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer_id)
            renewed = row.nda_date is not None
            row.nda_date = nda_date
            row.nda_reference = reference.strip()[:120]
            row.nda_bermaterai = bermaterai
            self._audit.append(
                session,
                who,
                "officer.nda_recorded",
                detail={"username": row.username, "renewed": renewed, "bermaterai": bermaterai},
            )
            return _record(row, session.get(OfficerDetails, officer_id))

    def set_role(self, actor: OfficerView, officer_id: int, role: Role) -> OfficerRecord:
        """Change an officer's role (reported as an officer change)."""
        who = self._admin(actor)
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer_id)
            if row.id == actor.id and role is not Role.ADMINISTRATOR:
                raise NotPermitted("own role")  # an administrator keeps one administrator
            before = row.role
            row.role = role.value
            if before != role.value:
                self._audit.append(
                    session,
                    who,
                    "officer.role_changed",
                    detail={"username": row.username, "from": before, "to": role.value},
                )
            return _record(row, session.get(OfficerDetails, officer_id))

    def record(self, officer_id: int) -> OfficerRecord:
        """One officer's record."""
        with self._sessions() as session:
            row = session.get_one(Officer, officer_id)
            return _record(row, session.get(OfficerDetails, officer_id))

    def by_username(self, username: str) -> OfficerRecord:
        """One officer's record by user name (OfficerRecordError when unknown)."""
        with self._sessions() as session:
            row = session.scalars(
                select(Officer).where(Officer.username == username.strip().lower())
            ).one_or_none()
            if row is None:
                raise OfficerRecordError("unknown user name")
            return _record(row, session.get(OfficerDetails, row.id))

    def records(self) -> list[OfficerRecord]:
        """Every officer, by user name."""
        with self._sessions() as session:
            rows = session.scalars(select(Officer).order_by(Officer.username)).all()
            details = {d.officer_id: d for d in session.scalars(select(OfficerDetails))}
            return [_record(row, details.get(row.id)) for row in rows]

    # ------------------------------------------------------------------ SPTJM
    def record_sptjm(
        self,
        actor: OfficerView,
        *,
        head_name: str,
        head_position: str,
        signed_on: date,
        reference: str,
        head_nip: str = "",
        bermaterai: bool = True,
    ) -> Sptjm:
        """Record the SPTJM the responsible head signed (the newest is in force)."""
        who = self._admin(actor)
        values = {
            "head_name": head_name.strip(),
            "head_position": head_position.strip(),
            "reference": reference.strip(),
        }
        for name, value in values.items():
            if not value:
                raise RecordFieldMissing(name)
        nip = head_nip.replace(" ", "")
        if nip and not NIP_PATTERN.fullmatch(nip):
            raise InvalidNip("head_nip")
        if signed_on > self._clock().date():
            raise OfficerRecordError("signed_on in the future")
        with self._sessions.begin() as session:
            row = AgencySptjm(
                head_name=values["head_name"][:120],
                head_position=values["head_position"][:160],
                head_nip=nip,
                signed_on=signed_on,
                reference=values["reference"][:120],
                bermaterai=bermaterai,
                recorded_at=self._clock(),
                recorded_by=who,
            )
            session.add(row)
            self._audit.append(
                session, who, "agency.sptjm_recorded", detail={"signed_on": signed_on.isoformat()}
            )
            return _sptjm(row)

    def current_sptjm(self) -> Sptjm | None:
        """The SPTJM in force (the newest signed), or None."""
        with self._sessions() as session:
            row = session.scalars(
                select(AgencySptjm).order_by(AgencySptjm.signed_on.desc(), AgencySptjm.id.desc())
            ).first()
            return None if row is None else _sptjm(row)

    def sptjm_history(self) -> list[Sptjm]:
        """Every SPTJM on record, newest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(AgencySptjm).order_by(AgencySptjm.signed_on.desc(), AgencySptjm.id.desc())
            )
            return [_sptjm(row) for row in rows]

    # ------------------------------------------------------------------ changes
    def changes(self, start: date, end: date) -> list[OfficerChange]:
        """Officer changes from ``start`` to ``end`` (both days included), oldest first."""
        if end < start:
            raise OfficerRecordError("period end before start")
        since = datetime.combine(start, time.min)
        until = datetime.combine(end + timedelta(days=1), time.min)
        with self._sessions() as session:
            rows = session.scalars(
                select(AuditRecord)
                .where(action_in_reported(CHANGE_KINDS))
                .where(AuditRecord.at >= since, AuditRecord.at < until)
                .order_by(AuditRecord.seq)
            ).all()
            return [_change(row) for row in rows]


def _change(row: AuditRecord) -> OfficerChange:
    try:
        detail = json.loads(row.detail or "{}")
    except ValueError:
        detail = {}
    kind = CHANGE_KINDS[row.action]
    if kind == "added":
        text = str(detail.get("role", ""))
    elif kind == "role_changed":
        text = f"{detail.get('from', '')} → {detail.get('to', '')}"
    elif kind == "nda_renewed":
        text = "bermaterai" if detail.get("bermaterai") else ""
    elif kind == "details_changed":
        text = str(detail.get("fields", ""))
    else:
        text = ""
    return OfficerChange(
        at=row.at, username=str(detail.get("username", "")), kind=kind, detail=text, actor=row.actor
    )
