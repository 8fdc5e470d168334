"""File export of owed data balikan (R-19): CSV or XLSX for upload or removable media.

An export holds exactly what is owed, in the agreed columns: the NIK and the agency's own
param fields (number or note, programme), then one column per data balikan field of the
agreement (the union over the items exported, each item with the values it was queued
with) — never a field of a gateway record. Exported
items stay encrypted and owed (status ``exported``) until a supervisor confirms that the
file was uploaded; until then they can be exported again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain.i18n import N_, _
from app.services.audit import AuditTrail
from app.services.balikan.fields import decode_fields, field_columns
from app.services.balikan.outbox import (
    ATTENTION,
    DEFAULT_LEASE,
    EXPORTED,
    PENDING,
    VIA_EXPORT,
    Outbox,
)
from app.services.clock import Clock, system_clock
from app.services.persistence.models import BalikanExport, BalikanExportItem, BalikanItem
from app.services.safe_output import check_output, database_files, finish_output, private_temp

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An export or confirmation cannot be done; ``message`` says why."""

    def __init__(self, msgid: str, detail: str = "") -> None:
        super().__init__(msgid if not detail else f"{msgid} ({detail})")
        self.msgid = msgid
        self.detail = detail

    @property
    def message(self) -> str:
        """Translated explanation."""
        return _(self.msgid)


NOTHING_OWED = N_("There is no data balikan to export: nothing is owed.")
UNKNOWN_FILE = N_(
    "This file is not a data balikan export of this agency (or it was changed after export). "
    "Confirm the file exactly as it was exported."
)
NOT_SUPERVISOR = N_("Only a supervisor can confirm that data balikan was uploaded.")
BAD_FORMAT = N_("Choose CSV or XLSX as the export format.")


@dataclass(frozen=True, slots=True)
class ExportResult:
    """One written export file."""

    export_id: int
    path: Path
    count: int
    sha256: str


def columns_of(number_key: str, programme_key: str, note_key: str) -> tuple[str, ...]:
    """The agreed columns: NIK, then the param fields in the agreement's names."""
    names = ["NIK", number_key, programme_key]
    if note_key and note_key not in names:
        names.append(note_key)
    return tuple(names)


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas in free text (a note typed at the counter)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _table(
    outbox: Outbox,
    items: Sequence[BalikanItem],
    columns: Sequence[str],
    labels: Mapping[str, str] | None = None,
) -> tuple[list[str], list[list[str]]]:
    """The header and the rows: the agreed ``columns``, then one column per data balikan
    field any of ``items`` carries (headed by the profile's label when ``labels`` has it)."""
    snapshots = [decode_fields(item.fields) for item in items]
    extra = [
        (name, header if header not in columns else f"{header} ({name})")
        for name, header in field_columns(snapshots, labels)
    ]
    rows = []
    for item, snapshot in zip(items, snapshots, strict=True):
        params = json.loads(item.params)
        entry = params[0] if isinstance(params, list) and params else {}
        values = {key: str(value) for key, value in entry.items()}
        values["NIK"] = outbox.nik_of(item)
        by_name = {value.name: value.value for value in snapshot}
        row = [values.get(column, "") for column in columns]
        row += [by_name.get(name, "") for name, _header in extra]
        rows.append([_safe_cell(cell) for cell in row])
    return [*columns, *(header for _name, header in extra)], rows


def _write_csv(temp: Path, columns: Sequence[str], rows: list[list[str]]) -> None:
    with temp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())


def _write_xlsx(temp: Path, columns: Sequence[str], rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "data_balikan"
    sheet.append(list(columns))
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=1, max_row=len(rows) + 1):
        for cell in cells:
            cell.number_format = "@"  # text: a 16-digit NIK must not become 3.3E+15
    for index, name in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(name) + 2, 18 if name == "NIK" else 0)
    book.save(temp)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BalikanExporter:
    """Writes export files and records supervisors' upload confirmations."""

    def __init__(
        self,
        outbox: Outbox,
        audit: AuditTrail,
        counter_id: str,
        columns: Sequence[str],
        *,
        lease: timedelta = DEFAULT_LEASE,
        clock: Clock = system_clock,
        field_labels: Mapping[str, str] | None = None,
    ) -> None:
        self._outbox = outbox
        self._audit = audit
        self._counter_id = counter_id
        self.columns = tuple(columns)
        #: The profile's labels of its data balikan fields (column headers), by field name.
        self.field_labels = dict(field_labels or {})
        self._lease = lease
        self._clock = clock

    def _owed(self, session: Session) -> list[BalikanItem]:
        """Items owed and not being sent right now (locked for the export)."""
        now = self._clock()
        statement = (
            select(BalikanItem)
            .where(BalikanItem.status.in_((PENDING, EXPORTED, ATTENTION)))
            .where(
                or_(BalikanItem.claimed_at.is_(None), BalikanItem.claimed_at < now - self._lease)
            )
            .order_by(BalikanItem.id)
            .with_for_update(skip_locked=True)
        )
        return list(session.execute(statement).scalars())

    def export(
        self, session: Session, path: Path, file_format: str, actor: str, *, force: bool = False
    ) -> ExportResult:
        """Write every owed item to ``path`` and mark them exported (caller commits).

        The file never replaces the database, a file it did not create (unless ``force`` and
        a plain file) or the target of a symbolic link (:mod:`app.services.safe_output`).
        """
        if file_format not in FORMATS:
            raise ExportError(BAD_FORMAT, file_format)
        protected = database_files(session.get_bind().engine.url)
        check_output(path, force=force, protected=protected)
        items = self._owed(session)
        if not items:
            raise ExportError(NOTHING_OWED)
        header, rows = _table(self._outbox, items, self.columns, self.field_labels)
        temp = private_temp(path)
        try:
            if file_format == "csv":
                _write_csv(temp, header, rows)
            else:
                _write_xlsx(temp, header, rows)
            os.chmod(temp, 0o600)
            digest = file_sha256(temp)
            now = self._clock()
            record = BalikanExport(
                file_sha256=digest,
                file_name=path.name[:255],
                file_format=file_format,
                item_count=len(items),
                created_at=now,
                created_by=actor,
                counter_id=self._counter_id,
            )
            session.add(record)
            session.flush()
            for item in items:
                item.status = EXPORTED
                item.exported_at = now
                item.claimed_by = None
                item.claimed_at = None
                session.add(BalikanExportItem(export_id=record.id, item_id=item.id))
            self._audit.append(
                session,
                actor,
                "balikan.exported",
                detail={"export": record.id, "count": len(items), "format": file_format},
            )
            session.flush()
            finish_output(temp, path, force=force, protected=protected)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return ExportResult(record.id, path, len(items), digest)

    def confirm_file(self, session: Session, path: Path, supervisor: str) -> int:
        """The file at ``path`` was uploaded: its items count as delivered."""
        try:
            digest = file_sha256(path)
        except OSError as error:
            raise ExportError(UNKNOWN_FILE, error.strerror or "") from error
        record = session.execute(
            select(BalikanExport)
            .where(BalikanExport.file_sha256 == digest)
            .order_by(BalikanExport.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if record is None:
            raise ExportError(UNKNOWN_FILE)
        return self._confirm(session, [record], supervisor)

    def confirm_all(self, session: Session, supervisor: str) -> int:
        """Every exported file was uploaded: all exported items count as delivered."""
        records = list(
            session.execute(
                select(BalikanExport).where(BalikanExport.confirmed_at.is_(None))
            ).scalars()
        )
        return self._confirm(session, records, supervisor, everything=True)

    def _confirm(
        self,
        session: Session,
        records: Sequence[BalikanExport],
        supervisor: str,
        *,
        everything: bool = False,
    ) -> int:
        now = self._clock()
        ids = [record.id for record in records]
        statement = select(BalikanItem).where(BalikanItem.status == EXPORTED)
        if not everything:
            statement = statement.where(
                BalikanItem.id.in_(
                    select(BalikanExportItem.item_id).where(BalikanExportItem.export_id.in_(ids))
                )
            )
        items = list(session.execute(statement.with_for_update()).scalars())
        confirmed = 0
        for item in items:
            if self._outbox.mark_delivered(session, item, VIA_EXPORT):
                confirmed += 1
                self._audit.append(
                    session,
                    supervisor,
                    "balikan.delivered",
                    case_number=item.case_number,
                    nik_hash=item.nik_hash,
                    detail={"verdict": "upload_confirmed"},
                )
        for record in records:
            if record.confirmed_at is None:
                record.confirmed_at = now
                record.confirmed_by = supervisor
        self._audit.append(
            session,
            supervisor,
            "balikan.upload_confirmed",
            detail={"exports": ids, "count": confirmed},
        )
        session.flush()
        return confirmed
