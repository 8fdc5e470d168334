"""``loket decommission``: end the counter's use when the agreement ends (R-16, R-27).

Refuses while data balikan is owed (deliver, or export and confirm, first). Then writes the
final usage report (PDF and CSV), an audit export with the last chain head, and the hand-over
record (BAST) with the SAM return checklist, and removes every key and secret (SAM PCID/CONF
included) from this PC's keyring.

- A counter on its own SQLite database: lookups are blocked, the database file is deleted.
- One counter of several on a shared PostgreSQL database: only this counter ends (marked in
  the database, audited; its own owed items block it). The other counters' data, the shared
  lockouts and the database stay.
- The agency-wide decommission (the last counter still in use, or ``--agency``): owed items of
  any counter block it; lookups are blocked on every counter, then the application's tables are
  dropped from the shared database (with the owner's connection when one is configured).
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

from sqlalchemy import Engine, func, select, text, union
from sqlalchemy.exc import SQLAlchemyError

from app.domain.errors import UserFacingError
from app.services.persistence import supervisor_models  # noqa: F401 (its tables, for the wipe)
from app.services.persistence.db import create_db_engine
from app.services.persistence.models import (
    AuditRecord,
    BalikanItem,
    Base,
    CaseRow,
    Lockout,
    MetaValue,
)
from app.services.secrets import KNOWN_SECRETS

if TYPE_CHECKING:
    from app.services.app_core import AppServices
    from app.services.officers import OfficerView

DECOMMISSIONED = "decommissioned"
#: ``app_meta`` key prefix marking one counter of a shared database as decommissioned.
COUNTER_MARK = "decommissioned_counter:"
COUNTER, AGENCY = "counter", "agency"

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
    """What was written and removed; ``scope`` is "counter" or "agency"."""

    files: tuple[Path, ...]
    secrets_removed: int
    database_removed: Path | None
    audit_head: str
    scope: str = AGENCY
    #: counters still in use on a shared database (a counter-only decommission)
    others: tuple[str, ...] = ()
    #: the shared database's tables were dropped (agency-wide on PostgreSQL)
    shared_wiped: bool = False


def owed_items(services: AppServices, counter_id: str | None = None) -> int:
    """Items not yet delivered, in any state; only those of ``counter_id``'s cases if given."""
    query = select(func.count(BalikanItem.id)).where(BalikanItem.status != "delivered")
    if counter_id is not None:
        own = select(CaseRow.number).where(CaseRow.counter_id == counter_id)
        query = query.where(BalikanItem.case_number.in_(own))
    with services.core.sessions() as session:
        return int(session.execute(query).scalar_one())


def is_shared(services: AppServices) -> bool:
    """True on a shared (PostgreSQL) database, False on a counter's own SQLite file."""
    return services.core.engine.dialect.name != "sqlite"


def counters_in_use(services: AppServices) -> tuple[str, ...]:
    """Counters that have worked on this database and are not decommissioned, sorted."""
    seen = union(select(AuditRecord.counter_id).distinct(), select(CaseRow.counter_id).distinct())
    with services.core.sessions() as session:
        counters = {str(c) for c in session.execute(seen).scalars() if c}
        marks = session.execute(
            select(MetaValue.key).where(MetaValue.key.startswith(COUNTER_MARK))
        ).scalars()
        done = {key.removeprefix(COUNTER_MARK) for key in marks}
    counters.add(services.core.settings.counter_id)
    return tuple(sorted(counters - done))


def plan_scope(services: AppServices, agency: bool) -> tuple[str, tuple[str, ...]]:
    """("counter" | "agency", the other counters still in use)."""
    if not is_shared(services):
        return AGENCY, ()
    this = services.core.settings.counter_id
    others = tuple(c for c in counters_in_use(services) if c != this)
    return (AGENCY if agency or not others else COUNTER), others


def check_owed(services: AppServices, scope: str) -> None:
    """Raise :class:`OwedItems` when what this scope would end still owes data balikan."""
    counter = services.core.settings.counter_id if scope == COUNTER else None
    owed = owed_items(services, counter)
    if owed:
        raise OwedItems(owed)


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


def _drop_shared_tables(settings_owner_url: str, engine: Engine) -> bool:
    """Drop the application's tables from the shared database; False when not permitted."""
    url = settings_owner_url or engine.url.render_as_string(hide_password=False)
    owner = create_db_engine(url)
    try:
        with owner.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '30s'"))
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            connection.execute(
                text("DROP FUNCTION IF EXISTS loket_redact_audit_detail(integer, text)")
            )
    except SQLAlchemyError:
        return False
    finally:
        owner.dispose()
    return True


def decommission(
    services: AppServices, officer: OfficerView, out_dir: Path, *, agency: bool = False
) -> DecommissionResult:
    """Run the decommissioning; refuses (nothing changed) while items are owed.

    On a shared database this ends this counter only, unless it is the last one in use or
    ``agency`` is set (then the whole agency's use ends and the shared tables are dropped).
    """
    from app.services.officers import NotPermitted, Role

    if officer.role is not Role.ADMINISTRATOR:
        raise NotPermitted(officer.username)
    scope, others = plan_scope(services, agency)
    check_owed(services, scope)
    settings = services.core.settings
    now: datetime = services.clock()
    with services.core.sessions.begin() as session:
        if scope == AGENCY:
            session.add(
                Lockout(kind=DECOMMISSIONED, set_at=now, set_by=settings.counter_id, code=None)
            )
        else:
            session.add(MetaValue(key=COUNTER_MARK + settings.counter_id, value=now.isoformat()))
        services.audit.append(
            session,
            officer.username,
            "counter.decommissioned",
            detail={"scope": scope, "counters_in_use": len(others) if scope == COUNTER else 0},
        )
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
    engine = services.core.engine
    url = engine.url
    shared = is_shared(services)
    services.core.close()
    wiped = False
    if not shared and url.database:
        database = Path(url.database)
        for path in database.parent.glob(database.name + "*"):
            path.unlink()
    elif shared and scope == AGENCY:
        wiped = _drop_shared_tables(settings.database_owner_url, engine)
    return DecommissionResult(
        tuple(files),
        removed,
        database,
        head,
        scope=scope,
        others=others if scope == COUNTER else (),
        shared_wiped=wiped,
    )


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
    parser.add_argument(
        "--agency",
        action="store_true",
        help="shared database: end the whole agency's use even though other counters are "
        "still marked in use (their data is wiped too)",
    )
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    services = open_services()
    try:
        officer = services.officers.authenticate(args.user, getpass.getpass("password: "))
        scope, others = plan_scope(services, args.agency)
        check_owed(services, scope)
        counter = services.core.settings.counter_id
        if scope == AGENCY and others:
            print(f"the whole agency's data is wiped, also of: {', '.join(others)}")
        if not args.yes:
            answer = input(f"type the counter id ({counter}) to wipe this counter for good: ")
            if answer.strip() != counter:
                print("not confirmed; nothing changed", file=sys.stderr)
                services.core.close()
                return 1
        result = decommission(services, officer, Path(args.out), agency=args.agency)
    except UserFacingError as error:
        print(error.message, file=sys.stderr)
        services.core.close()
        return 1
    for path in result.files:
        print(f"written: {path}")
    print(f"secrets removed from the keyring: {result.secrets_removed}")
    if result.database_removed is not None:
        print(f"local database deleted: {result.database_removed}")
    elif result.scope == COUNTER:
        print(
            "this counter is decommissioned; the shared database and the data of the counters "
            f"still in use ({', '.join(result.others)}) are kept"
        )
    elif result.shared_wiped:
        print("the agency's tables were dropped from the shared database")
    else:
        print(
            "the shared database's tables could not be dropped (no owner's rights): its "
            "administrator removes them (database_owner_url names the owner's connection)"
        )
    print()
    print("\n".join(SAM_CHECKLIST))
    print(f"\nPrint and sign the hand-over record (BAST): {result.files[-1]}")
    return 0
