"""The due rule (Pasal 8: June and December), the reminder from two weeks before, and the
record of each submission."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.officers import NotPermitted
from app.services.reports.due import DueRule, due_reminder, period_containing, periods_of_year
from app.services.reports.submissions import SubmissionError
from app.services.settings import SettingsError, settings_from_dicts
from tests.services.cases.conftest import World


def test_default_rule_is_pasal_8_june_and_december() -> None:
    first, second = periods_of_year(DueRule(), 2026)
    assert (first.start, first.end, first.due) == (
        date(2026, 1, 1),
        date(2026, 6, 30),
        date(2026, 6, 30),
    )
    assert (second.start, second.end, second.due) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
        date(2026, 12, 31),
    )
    juknis = DueRule((6, 12), working_days_after=10)
    assert periods_of_year(juknis, 2026)[0].due == date(2026, 7, 14)
    quarterly = DueRule((3, 6, 9, 12))
    assert period_containing(quarterly, date(2026, 5, 2)).start == date(2026, 4, 1)
    yearly = DueRule((3,))
    assert period_containing(yearly, date(2026, 5, 2)).start == date(2026, 4, 1)
    assert period_containing(yearly, date(2026, 5, 2)).end == date(2027, 3, 31)


def test_reminder_from_two_weeks_before_until_submitted() -> None:
    rule = DueRule()
    last_year = [(date(2025, 7, 1), date(2025, 12, 31))]
    assert due_reminder(rule, date(2026, 6, 15), last_year) is None
    unsent = due_reminder(rule, date(2026, 6, 15), [])  # the last semester is still owed
    assert unsent is not None and unsent.overdue and unsent.period.end == date(2025, 12, 31)
    soon = due_reminder(rule, date(2026, 6, 16), [])
    assert soon is not None and soon.days_left == 14 and not soon.overdue
    assert soon.period.start == date(2026, 1, 1)
    late = due_reminder(rule, date(2026, 7, 3), [])
    assert late is not None and late.overdue and late.days_left == -3
    assert due_reminder(rule, date(2026, 7, 3), [(date(2026, 1, 1), date(2026, 6, 30))]) is None
    # a wider submission covers the semester too
    assert due_reminder(rule, date(2026, 7, 3), [(date(2025, 12, 1), date(2026, 7, 1))]) is None
    december = due_reminder(rule, date(2026, 12, 20), [(date(2026, 1, 1), date(2026, 6, 30))])
    assert december is not None and december.period.end == date(2026, 12, 31)


def test_rule_comes_from_the_agreement_settings() -> None:
    settings = settings_from_dicts(
        {"agreement": {"report_months": [6, 12], "report_due_working_days": 10}}
    )
    assert settings.agreement.report_due_working_days == 10
    for bad in ({"report_months": [13]}, {"report_months": [6, 6]}, {"report_months": []}):
        with pytest.raises(SettingsError, match="report_"):
            settings_from_dicts({"agreement": bad})


def test_submission_is_recorded_listed_audited_and_ends_the_reminder(world: World) -> None:
    reports = world.services.reports
    world.clock.now = world.clock.now.replace(month=12, day=20)
    reminder = reports.reminder()
    assert reminder is not None and reminder.period.start == date(2026, 7, 1)
    assert reminder.days_left == 11
    with pytest.raises(NotPermitted):
        reports.record_submission(
            world.officer, date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 20), "email", "x"
        )
    for channel, reference, day in (
        ("fax", "x", date(2026, 12, 20)),
        ("email", "  ", date(2026, 12, 20)),
        ("email", "x", date(2026, 12, 21)),  # in the future
    ):
        with pytest.raises(SubmissionError):
            reports.record_submission(
                world.supervisor, date(2026, 7, 1), date(2026, 12, 31), day, channel, reference
            )
    view = reports.record_submission(
        world.supervisor,
        date(2026, 7, 1),
        date(2026, 12, 31),
        date(2026, 12, 19),
        "hard_copy",
        "000.4/321/Bappelitbangda/2026",
    )
    assert view.channel_label == "Cetak (hard copy)"  # the demo speaks Indonesian
    assert reports.reminder() is None
    listed = reports.submissions()
    assert [(s.period_start, s.channel, s.reference, s.recorded_by) for s in listed] == [
        (date(2026, 7, 1), "hard_copy", "000.4/321/Bappelitbangda/2026", "supervisor")
    ]
    assert world.services.verify_audit() is None
