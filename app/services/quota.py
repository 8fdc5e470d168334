"""The agency's daily quota (R-06), shared by every counter on the same database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, case, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.domain.errors import UserFacingError
from app.domain.i18n import N_
from app.domain.quota_rules import QuotaStatus
from app.services.clock import Clock, system_clock
from app.services.persistence.models import QuotaDay


class QuotaExhausted(UserFacingError):
    """No hits left today: lookups stop until tomorrow."""

    msgid = N_(
        "Today's access quota is used up. No more lookups are possible until tomorrow; "
        "serve applicants who need a lookup then, or refer them to Dinas Dukcapil."
    )


#: One hit taken from today's row; ``None`` back when the row is missing or has nothing left.
_TAKE = (
    update(QuotaDay)
    .where(QuotaDay.day == bindparam("b_day"))
    .where((QuotaDay.gateway_left.is_(None)) | (QuotaDay.gateway_left > 0))
    .values(
        used=QuotaDay.used + 1,
        gateway_left=QuotaDay.gateway_left - 1,
        updated_at=bindparam("b_now"),
    )
    .returning(QuotaDay.used, QuotaDay.gateway_left)
)
_TAKE_LIMITED = _TAKE.where(QuotaDay.used < bindparam("b_limit"))
#: The gateway's count of hits left, taken as the truth for today's row (one statement; its
#: used count never goes down, and is at least what the limit less the hits left says).
_RESYNC = (
    update(QuotaDay)
    .where(QuotaDay.day == bindparam("b_day"))
    .values(gateway_left=bindparam("b_left"), updated_at=bindparam("b_now"))
    .returning(QuotaDay.used, QuotaDay.gateway_left)
)
_RESYNC_LIMITED = _RESYNC.values(
    used=case((QuotaDay.used < bindparam("b_floor"), bindparam("b_floor")), else_=QuotaDay.used)
)


class QuotaCounter:
    """Atomic per-day counter: a hit is counted before its request is sent."""

    def __init__(self, limit: int | None, clock: Clock = system_clock) -> None:
        self.limit = limit
        self._clock = clock

    def _ensure_row(self, session: Session, day: date) -> None:
        values = {"day": day, "used": 0, "updated_at": self._clock()}
        dialect = session.get_bind().dialect.name
        # each dialect's module is loaded when first used (PostgreSQL's costs a start time)
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(QuotaDay).values(**values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            session.execute(sqlite_insert(QuotaDay).values(**values).on_conflict_do_nothing())

    def status(self, session: Session) -> QuotaStatus:
        """Used and left today."""
        row = session.get(QuotaDay, self._clock().date())
        if row is None:
            return QuotaStatus(used=0, limit=self.limit)
        return QuotaStatus(used=row.used, limit=self.limit, gateway_left=row.gateway_left)

    def reserve(self, session: Session) -> QuotaStatus:
        """Count one hit now, or raise :class:`QuotaExhausted` (nothing counted).

        One statement when today's row exists (the usual case); the row is created only
        when the first attempt finds none."""
        day = self._clock().date()
        result = self._take(session, day)
        if result is None:  # no row yet today, or nothing left: make sure, then try again
            self._ensure_row(session, day)
            result = self._take(session, day)
        if result is None:
            raise QuotaExhausted()
        return QuotaStatus(used=result[0], limit=self.limit, gateway_left=result[1])

    def _take(self, session: Session, day: date) -> tuple[int, int | None] | None:
        params: dict[str, object] = {"b_day": day, "b_now": self._clock()}
        connection = session.connection()  # Core: no ORM bookkeeping for a counter
        if self.limit is None:
            row = connection.execute(_TAKE, params).first()
        else:
            params["b_limit"] = self.limit
            row = connection.execute(_TAKE_LIMITED, params).first()
        loaded = session.identity_map.get(identity_key(QuotaDay, day))
        if loaded is not None:  # this session read today's row before: it is stale now
            session.expire(loaded)
        return None if row is None else (int(row[0]), row[1])

    def resync(self, session: Session, gateway_left: int) -> QuotaStatus:
        """Take the gateway's ``quotaLimiter`` (hits left) as the truth about what remains
        today: one Core UPDATE of today's row.

        The lookup's own reservation made today's row; when there is none, a new day began
        while the answer travelled and the count is the previous day's: nothing changes (a
        new day's quota is not cut by yesterday's hits)."""
        now = self._clock()
        day, left = now.date(), max(gateway_left, 0)
        params: dict[str, object] = {"b_day": day, "b_left": left, "b_now": now}
        statement = _RESYNC
        if self.limit is not None:
            statement, params["b_floor"] = _RESYNC_LIMITED, self.limit - left
        row = session.connection().execute(statement, params).first()
        if row is None:
            return QuotaStatus(used=0, limit=self.limit)
        loaded = session.identity_map.get(identity_key(QuotaDay, day))
        if loaded is not None:  # this session read today's row before: it is stale now
            session.expire(loaded)
        return QuotaStatus(used=int(row[0]), limit=self.limit, gateway_left=row[1])

    def mark_exhausted(self, session: Session) -> None:
        """The gateway said the quota is used up: believe it for the rest of the day."""
        self.resync(session, 0)
