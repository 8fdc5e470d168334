"""Report queries on SQLite: the group-first indexes (migration 0009) are read in group order
once the planner has statistics, which the report refreshes itself; no period is sorted."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine, text

from app.services.persistence.db import session_factory
from app.services.persistence.planner import refresh_statistics, stale_tables
from app.services.reports.figures import compute_figures

ROWS = 3000


def _fill(engine: Engine) -> None:
    """ROWS synthetic cases with one lookup each, one per hour from 2026-01-01."""
    start = datetime(2026, 1, 1)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "INSERT INTO officers (id, username, display_name, role, password_hash, active, "
            "failed_logins, must_change_password, created_at) VALUES (1, 'petugas', "
            "'WARGA CONTOH', 'officer', 'x', 1, 0, 0, '2020-01-01 00:00:00')"
        )
        cases, lookups = [], []
        for i in range(ROWS):
            stamp = (start + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S.%f")
            counter = f"LOKET-{i % 2 + 1}"
            decision = ("approve", "refuse", None)[i % 3]
            cases.append((i + 1, f"C{i + 1}", counter, decision, stamp, stamp))
            lookups.append((i + 1, counter, stamp, ("found", "not_found")[i % 2]))
        cursor.executemany(
            "INSERT INTO cases (id, number, counter_id, officer_id, programme, purpose, "
            "access_method, state, decision, opened_at, updated_at, lookups, data_accessed) "
            "VALUES (?, ?, ?, 1, 'PKH', 'Pendaftaran', 'web_service', 'closed', ?, ?, ?, 1, 1)",
            cases,
        )
        cursor.executemany(
            "INSERT INTO lookups (case_id, officer_id, counter_id, at, method, outcome) "
            "VALUES (?, 1, ?, ?, 'lookup', ?)",
            lookups,
        )
        raw.commit()
    finally:
        raw.close()


def _plan(engine: Engine, sql: str) -> str:
    low, high = "2026-01-01 00:00:00.000000", "2026-03-01 00:00:00.000000"
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, (low, high)).all()
    return " | ".join(str(row[3]) for row in rows)


def test_the_report_refreshes_statistics_and_groups_without_sorting(db_engine: Engine) -> None:
    _fill(db_engine)
    sessions = session_factory(db_engine)
    with sessions() as session:
        assert stale_tables(session) == ["lookups", "cases"]

    figures = compute_figures(sessions, date(2026, 1, 1), date(2026, 1, 31))

    assert figures.hits == 31 * 24
    assert figures.cases_opened == 31 * 24
    assert sum(figures.by_hour) == 31 * 24
    assert figures.by_hour[5] == 31
    assert figures.decisions["approve"] == figures.decisions["refuse"] == 248
    with sessions() as session:
        assert stale_tables(session) == []  # the report analysed them
    lookups = _plan(
        db_engine,
        "SELECT outcome, officer_id, method, counter_id, count(*) FROM lookups "
        "WHERE at >= ? AND at < ? GROUP BY outcome, officer_id, method, counter_id",
    )
    hours = _plan(
        db_engine,
        "SELECT substr(at, 12, 2), count(*) FROM lookups WHERE at >= ? AND at < ? "
        "GROUP BY substr(at, 12, 2)",
    )
    cases = _plan(
        db_engine,
        "SELECT coalesce(decision, state), counter_id, count(*) FROM cases "
        "WHERE opened_at >= ? AND opened_at < ? GROUP BY coalesce(decision, state), counter_id",
    )
    assert "ix_lookups_groups" in lookups and "TEMP B-TREE" not in lookups
    assert "ix_lookups_hour" in hours and "TEMP B-TREE" not in hours
    assert "ix_cases_groups" in cases and "TEMP B-TREE" not in cases


def test_statistics_are_refreshed_again_only_when_a_table_doubled(db_engine: Engine) -> None:
    _fill(db_engine)
    sessions = session_factory(db_engine)
    assert refresh_statistics(sessions) == ["lookups", "cases"]
    assert refresh_statistics(sessions) == []
    with db_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO lookups (case_id, officer_id, counter_id, at, method, outcome) "
                "SELECT case_id, officer_id, counter_id, at, method, outcome FROM lookups"
            )
        )
        connection.execute(
            text(
                "INSERT INTO lookups (case_id, officer_id, counter_id, at, method, outcome) "
                "SELECT case_id, officer_id, counter_id, at, method, outcome FROM lookups"
            )
        )
    assert refresh_statistics(sessions) == ["lookups"]
