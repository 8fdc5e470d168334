"""Storage: SQLite hardening, migrations with backup, refusal of a newer database."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.services.persistence.db import (
    DatabaseTooNew,
    create_db_engine,
    current_revision,
    head_revision,
    upgrade_database,
)


def test_fresh_database_is_migrated_and_private(db_engine: Engine) -> None:
    assert current_revision(db_engine) == head_revision()
    path = Path(str(db_engine.url.database))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with db_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        # FULL in WAL: a commit survives power loss too (see _install_sqlite_pragmas)
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
    assert {"officers", "cases", "audit_log", "balikan_items", "quota_days"} <= tables


def test_upgrade_is_idempotent(db_engine: Engine) -> None:
    assert upgrade_database(db_engine) is None


def test_upgrade_of_an_older_schema_takes_a_backup_first(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = create_db_engine(f"sqlite+pysqlite:///{path}")
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO app_meta (key, value) VALUES ('marker', 'x')"))
        # pretend the database is at an older (known) revision by re-stamping after a fake one
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": "0001"})
    with engine.begin() as connection:
        # undo what the newer revisions did, so 0001's schema is really there again
        connection.execute(text("DROP TRIGGER audit_log_head"))  # 0010
        connection.execute(text("ALTER TABLE balikan_items DROP COLUMN fields"))  # 0006
        for index in ("ix_lookups_groups", "ix_lookups_hour", "ix_cases_groups"):
            connection.execute(text(f"DROP INDEX {index}"))  # 0009
        connection.execute(text("DROP INDEX ix_audit_log_reported"))  # 0011 (0005's, narrowed)
        for index in ("ix_balikan_items_created_at", "ix_balikan_items_delivered_at"):
            connection.execute(text(f"DROP INDEX {index}"))  # 0005
        connection.execute(text("DROP INDEX ix_lockouts_set_at"))  # 0005
        connection.execute(text("DROP TABLE report_submissions"))  # 0005
        connection.execute(text("DROP TABLE incidents"))  # 0005
        connection.execute(text("DROP TABLE officer_details"))  # 0007
        connection.execute(text("DROP TABLE agency_sptjm"))  # 0007
        connection.execute(text("ALTER TABLE officers DROP COLUMN nda_bermaterai"))  # 0007
        connection.execute(text("DROP TABLE balikan_export_items"))
        connection.execute(text("DROP TABLE balikan_exports"))
        connection.execute(text("ALTER TABLE balikan_items DROP COLUMN delivered_via"))
        connection.execute(text("DROP INDEX ix_audit_log_nik_hash"))  # 0003
        connection.execute(text("DROP INDEX ix_audit_log_case_number"))
        connection.execute(text("ALTER TABLE cases DROP COLUMN reasons"))  # 0004
    backup = upgrade_database(engine)
    assert backup is not None and Path(backup).is_file()
    assert stat.S_IMODE(Path(backup).stat().st_mode) == 0o600
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM app_meta WHERE key='marker'")).scalar()
        assert connection.execute(text("SELECT count(*) FROM balikan_exports")).scalar() == 0
    engine.dispose()


def test_backup_uses_online_api(tmp_path: Path) -> None:
    from app.services.persistence.db import backup_sqlite

    path = tmp_path / "live.sqlite3"
    engine = create_db_engine(f"sqlite+pysqlite:///{path}")
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO app_meta (key, value) VALUES ('k', 'v')"))
    copy = backup_sqlite(engine, tmp_path / "copy.sqlite3")
    other = create_db_engine(f"sqlite+pysqlite:///{copy}")
    with other.connect() as connection:
        assert connection.execute(text("SELECT value FROM app_meta WHERE key='k'")).scalar() == "v"
    other.dispose()
    engine.dispose()


def test_database_newer_than_the_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    engine = create_db_engine(f"sqlite+pysqlite:///{path}")
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(DatabaseTooNew) as info:
        upgrade_database(engine)
    assert "newer version" in info.value.message
    assert current_revision(engine) == "ffff_future"  # untouched
    engine.dispose()


def test_concurrent_writers_queue_instead_of_failing(db_engine: Engine) -> None:
    with db_engine.begin() as connection:
        connection.execute(text("INSERT INTO app_meta (key, value) VALUES ('n', '0')"))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(20):
                with db_engine.begin() as connection:
                    value = int(
                        connection.execute(
                            text("SELECT value FROM app_meta WHERE key='n'")
                        ).scalar_one()
                    )
                    connection.execute(
                        text("UPDATE app_meta SET value=:v WHERE key='n'"), {"v": str(value + 1)}
                    )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with db_engine.connect() as connection:
        assert (
            connection.execute(text("SELECT value FROM app_meta WHERE key='n'")).scalar() == "100"
        )


def test_a_relative_sqlite_path_is_refused_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.settings import SettingsError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match="relative"):
        create_db_engine("sqlite+pysqlite:///loket.sqlite3")
    monkeypatch.setenv("LOKET_DATA_DIR", "data")
    with pytest.raises(SettingsError, match="relative"):
        create_db_engine()
    assert list(tmp_path.iterdir()) == []
