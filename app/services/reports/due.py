"""When the agreement's usage report is due (R-21), and the supervisor's reminder.

Pasal 8 of the agreements: the report is made every semester, "bulan Juni untuk semester
pertama dan bulan Desember untuk semester kedua". The months and an optional number of working
days after the month are the agreement's configuration (``[agreement] report_months``,
``report_due_working_days``); the default is Pasal 8 as written: due by 30 June and 31 December.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

REMINDER_DAYS = 14


@dataclass(frozen=True, slots=True)
class DueRule:
    """The months a report is made in, and how long after the month's end it may be handed in."""

    months: tuple[int, ...] = (6, 12)
    working_days_after: int = 0


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """One period the agreement asks a report for, and its due date."""

    start: date
    end: date
    due: date

    def label(self) -> str:
        """``2026-01-01 – 2026-06-30`` (the same in every language)."""
        return f"{self.start:%d-%m-%Y} – {self.end:%d-%m-%Y}"


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def add_working_days(day: date, working_days: int) -> date:
    """``working_days`` working days (Mon-Fri) after ``day``."""
    left = working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def periods_of_year(rule: DueRule, year: int) -> list[ReportPeriod]:
    """The report periods ending in ``year``: each runs from the month after the previous
    report month to the end of its own report month (June and December: the two semesters)."""
    months = sorted(rule.months)
    result: list[ReportPeriod] = []
    for position, month in enumerate(months):
        end = _month_end(year, month)
        if position == 0:
            previous = months[-1]
            start_year = year if previous < month else year - 1
            start = _month_end(start_year, previous) + timedelta(days=1)
        else:
            start = _month_end(year, months[position - 1]) + timedelta(days=1)
        result.append(ReportPeriod(start, end, add_working_days(end, rule.working_days_after)))
    return result


def period_containing(rule: DueRule, day: date) -> ReportPeriod:
    """The report period ``day`` falls in."""
    for period in periods_of_year(rule, day.year) + periods_of_year(rule, day.year + 1):
        if period.start <= day <= period.end:
            return period
    raise AssertionError("every day falls in a period")


@dataclass(frozen=True, slots=True)
class DueReminder:
    """What the supervisor's screen says about the next report owed."""

    period: ReportPeriod
    days_left: int

    @property
    def overdue(self) -> bool:
        """True once the due date has passed without a recorded submission."""
        return self.days_left < 0


def due_reminder(
    rule: DueRule,
    today: date,
    submitted: Iterable[tuple[date, date]],
    reminder_days: int = REMINDER_DAYS,
) -> DueReminder | None:
    """The reminder to show today, or None.

    The latest period whose reminder window has begun (``reminder_days`` before its due date)
    is owed until a submission covering it (same start and end, or wider) is recorded; past its
    due date it shows as overdue until the next period's window begins.
    """
    done = list(submitted)
    started = [
        p
        for year in (today.year - 1, today.year, today.year + 1)
        for p in periods_of_year(rule, year)
        if p.due - timedelta(days=reminder_days) <= today
    ]
    latest = max(started, key=lambda p: p.due)
    if any(s <= latest.start and latest.end <= e for s, e in done):
        return None
    return DueReminder(latest, (latest.due - today).days)
