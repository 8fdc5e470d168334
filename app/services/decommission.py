"""``loket decommission``: end the counter's use when the agreement ends (R-16, R-27).

Refuses while any data balikan is owed (deliver, or export and confirm, first). Then: blocks
lookups on every counter of the database, writes the final usage report (PDF and CSV), an
audit export with the last chain head, and the hand-over record (BAST) with the SAM return
checklist; removes every key and secret (SAM PCID/CONF included) from the keyring and deletes
the local SQLite database. A shared PostgreSQL database is left to its administrator.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from app.domain.errors import UserFacingError
from app.services.persistence.models import AuditRecord, BalikanItem, Lockout, MetaValue
from app.services.secrets import KNOWN_SECRETS

if TYPE_CHECKING:
    from app.services.app_core import AppServices
    from app.services.officers import OfficerView

DECOMMISSIONED = "decommissioned"

SAM_CHECKLIST = (
    "SAM return checklist (R-16, PKS Pasal 9(4)):",
    "[ ] SAM card taken out of the reader's SAM slot and put in a sealed envelope",
    "[ ] SAM configuration (PCID/CONF) removed from this PC's keyring (done by this command)",
    "[ ] SAM and its configuration handed to Dinas Dukcapil with the BAST below",
    "[ ] Card reader deactivation requested from Dinas Dukcapil",
    "[ ] VPN / closed-network account and gateway user id returned or disabled",
)


class OwedItems(UserFacingError):
    """Data balikan is still owed: nothing may be wiped."""

    def __init__(self, count: int) -> None:
        super().__init__(str(count))
        self.count = count

    @property
    def message(self) -> str:
        """What to do first (CLI, English)."""
        return (
            f"decommissioning refused: {self.count} data balikan item(s) still owed. Deliver "
            "them (loket balikan send) or export and confirm the upload (loket balikan export "
            "/ confirm) first; items held by returned or interrupted cases are released by "
            "closing those cases (loket cases close / close-interrupted)."
        )


@dataclass(frozen=True, slots=True)
class DecommissionResult:
    """What was written and removed."""

    files: tuple[Path, ...]
    secrets_removed: int
    database_removed: Path | None
    audit_head: str


def owed_items(services: AppServices) -> int:
    """Items not yet delivered, in any state."""
    with services.core.sessions() as session:
        return int(
            session.execute(
                select(func.count(BalikanItem.id)).where(BalikanItem.status != "delivered")
            ).scalar_one()
        )


def _audit_export(services: AppServices) -> tuple[bytes, str]:
    """The audit trail as CSV (no NIK hashes) and the chain head ``seq:hash``."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(
        ("seq", "at", "actor", "counter_id", "action", "case_number", "detail", "prev", "hash")
    )
    with services.core.sessions() as session:
        for row in session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars():
            writer.writerow(
                (
                    row.seq,
                    row.at.isoformat(),
                    row.actor,
                    row.counter_id,
                    row.action,
                    row.case_number or "",
                    row.detail,
                    row.prev_hash,
                    row.hash,
                )
            )
        head = session.get(MetaValue, "audit_head")
    return text.getvalue().encode("utf-8"), head.value if head else ""


def bast_text(services: AppServices, officer: OfficerView, today: date, head: str) -> str:
    """The hand-over record (Berita Acara Serah Terima) to print and sign."""
    settings = services.core.settings
    return "\n".join(
        (
            "BERITA ACARA SERAH TERIMA",
            "Pengembalian Secure Access Module (SAM) dan penonaktifan perangkat pembaca KTP-el",
            "",
            f"Pada tanggal {today:%d-%m-%Y}, {settings.agency.name} (loket {settings.counter_id},",
            f"PKS {settings.agreement.reference or '-'}) menyerahkan kepada Dinas Kependudukan dan",
            "Pencatatan Sipil: 1 (satu) kartu SAM beserta konfigurasinya, dan menyatakan bahwa",
            "aplikasi Loket KTP-el pada PC ini telah dihentikan, kunci dan data lokal dihapus,",
            "dan tidak ada data balikan yang terutang.",
            f"Jejak audit terakhir: {head}",
            "",
            "Yang menyerahkan,                         Yang menerima,",
            "",
            "",
            f"( {officer.display_name} )                ( ................................ )",
            "NIP. ....................               NIP. ....................",
        )
    )


def decommission(services: AppServices, officer: OfficerView, out_dir: Path) -> DecommissionResult:
    """Run the whole decommissioning; refuses (nothing changed) while items are owed."""
    from app.services.officers import NotPermitted, Role

    if officer.role is not Role.ADMINISTRATOR:
        raise NotPermitted(officer.username)
    owed = owed_items(services)
    if owed:
        raise OwedItems(owed)
    settings = services.core.settings
    now: datetime = services.clock()
    with services.core.sessions.begin() as session:
        session.add(Lockout(kind=DECOMMISSIONED, set_at=now, set_by=settings.counter_id, code=None))
        services.audit.append(session, officer.username, "counter.decommissioned")
    out_dir.mkdir(parents=True, exist_ok=True)
    start = settings.agreement.start or now.date().replace(month=1, day=1)
    stem = f"{settings.counter_id}-{now:%Y%m%d}"
    files = []
    report = out_dir / f"final-report-{stem}.pdf"
    report.write_bytes(services.reports.pdf(officer, "period", start, now.date()))
    figures = out_dir / f"final-report-{stem}.csv"
    figures.write_bytes(services.reports.export(officer, "csv", start, now.date()))
    audit_csv, head = _audit_export(services)
    audit = out_dir / f"audit-{stem}.csv"
    audit.write_bytes(audit_csv)
    bast = out_dir / f"bast-{stem}.txt"
    bast.write_text(
        bast_text(services, officer, now.date(), head) + "\n\n" + "\n".join(SAM_CHECKLIST) + "\n",
        encoding="utf-8",
    )
    files += [report, figures, audit, bast]
    removed = 0
    for name in KNOWN_SECRETS:
        if services.core.secrets.get(name):
            services.core.secrets.delete(name)
            removed += 1
    database: Path | None = None
    url = services.core.engine.url
    services.core.close()
    if url.get_backend_name() == "sqlite" and url.database:
        database = Path(url.database)
        for path in database.parent.glob(database.name + "*"):
            path.unlink()
    return DecommissionResult(tuple(files), removed, database, head)


def run_decommission_cli(argv: Sequence[str], open_services: Callable[[], AppServices]) -> int:
    """``loket decommission --out DIR --user ADMIN``."""
    parser = argparse.ArgumentParser(
        prog="loket decommission",
        description="End this counter's use (agreement ended): refuses while data balikan is "
        "owed; then blocks lookups, writes the final report, audit export and BAST, and wipes "
        "keys, secrets and the local database.",
    )
    parser.add_argument("--out", required=True, help="folder for the final report, audit, BAST")
    parser.add_argument("--user", required=True, help="administrator user name (password asked)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    services = open_services()
    try:
        officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
        owed = owed_items(services)
        if owed:
            raise OwedItems(owed)
        counter = services.core.settings.counter_id
        if not args.yes:
            answer = input(f"type the counter id ({counter}) to wipe this counter for good: ")
            if answer.strip() != counter:
                print("not confirmed; nothing changed", file=sys.stderr)
                services.core.close()
                return 1
        result = decommission(services, officer, Path(args.out))
    except UserFacingError as error:
        print(error.message, file=sys.stderr)
        services.core.close()
        return 1
    for path in result.files:
        print(f"written: {path}")
    print(f"secrets removed from the keyring: {result.secrets_removed}")
    if result.database_removed is not None:
        print(f"local database deleted: {result.database_removed}")
    else:
        print("shared database kept: its administrator removes it once every counter is done")
    print()
    print("\n".join(SAM_CHECKLIST))
    print(f"\nPrint and sign the hand-over record (BAST): {result.files[-1]}")
    return 0
