"""Every service's migrations build exactly its models, on PostgreSQL and SQLite, and upgrade a
database made before migrations existed without losing its rows."""

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, insert, inspect, select, text
from sqlalchemy.engine import Engine

from services.migrate import RUNTIMES
from shared.db import engine_for
from shared.migrations import BASELINE, Migrations
from tests.support.infra import fresh_databases

REPO = Path(__file__).resolve().parents[2]
SERVICES = tuple(RUNTIMES)


@pytest.fixture(params=["postgresql", "sqlite"])
def urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Empty databases, one per service, on the engine the test is parametrized with."""
    if request.param == "sqlite":
        yield {service: f"sqlite:///{tmp_path}/{service}.db" for service in SERVICES}
        return
    with fresh_databases(f"mig{os.getpid()}") as databases:
        yield databases
        for url in databases.values():
            engine_for(url).dispose()


def _migrations(service: str, metadata: MetaData | None = None) -> Migrations:
    runtime = RUNTIMES[service]
    return Migrations(service, metadata or runtime.metadata, runtime.migrations.location)


def _cli(command: str, urls: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{f"{s.upper()}_DATABASE_URL": url for s, url in urls.items()}}
    return subprocess.run(
        [sys.executable, "-m", "services.migrate", command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrate_then_check_agree_and_every_table_exists(urls: dict[str, str]) -> None:
    upgraded = _cli("upgrade", urls)
    assert upgraded.returncode == 0, upgraded.stderr
    checked = _cli("check", urls)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("models and migrations agree") == len(SERVICES)
    for service, url in urls.items():
        tables = set(inspect(engine_for(url)).get_table_names())
        assert set(RUNTIMES[service].metadata.tables) <= tables
        assert f"alembic_version_{service}" in tables
        assert _migrations(service).current(engine_for(url)) == _migrations(service).head()


def test_check_fails_when_a_database_is_behind(urls: dict[str, str]) -> None:
    engine = engine_for(urls["notifier"])
    _migrations("notifier").upgrade(engine, BASELINE)
    checked = _cli("check", {"notifier": urls["notifier"]})
    assert checked.returncode == 1 and "run make migrate" in checked.stdout


def test_a_model_change_without_a_revision_is_drift(urls: dict[str, str]) -> None:
    engine = engine_for(urls["scheduler"])
    _migrations("scheduler").upgrade(engine)
    changed = MetaData()
    for table in RUNTIMES["scheduler"].metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["educator"].append_column(Column("shoe_size", Integer, nullable=True))
    drift = _migrations("scheduler", changed).drift(engine)
    assert [change[0] for change in drift] == ["add_column"]
    assert _migrations("scheduler").drift(engine) == []


def _previous_release(service: str, engine: Engine) -> None:
    """The schema the previous release made with create_all: the baseline, no version table."""
    migrations = _migrations(service)
    migrations.upgrade(engine, BASELINE)
    with engine.begin() as connection:
        connection.execute(text(f"DROP TABLE {migrations.version_table}"))


def test_upgrading_a_database_from_before_migrations_keeps_its_rows(urls: dict[str, str]) -> None:
    engine = engine_for(urls["notifier"])
    _previous_release("notifier", engine)
    delivery = MetaData()
    delivery.reflect(engine, only=["delivery"])
    table = delivery.tables["delivery"]
    now = datetime.now(UTC)
    row = {"recipient": "ana@schools.example.org", "meeting_id": 7, "kind": "invite"}
    more = {"sequence": 0, "variant": "", "status": "sent", "attempts": 1, "message": b"x"}
    stamps = {"next_attempt_at": now, "created_at": now, "sent_at": now}
    with engine.begin() as connection:
        connection.execute(insert(table), {**row, **more, **stamps})

    before, after = _migrations("notifier").upgrade(engine)

    assert (before, after) == (BASELINE, _migrations("notifier").head())
    assert after != BASELINE
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT recipient, message, trimmed_at FROM delivery")).all()
    assert [(r[0], bytes(r[1]), r[2]) for r in kept] == [(row["recipient"], b"x", None)]
    assert _migrations("notifier").drift(engine) == []


@pytest.mark.parametrize("service", ["registry", "scheduler"])
def test_every_service_adopts_a_database_from_before_migrations(
    urls: dict[str, str], service: str
) -> None:
    engine = engine_for(urls[service])
    _previous_release(service, engine)
    outbox = MetaData()
    outbox.reflect(engine, only=["processed_events"])
    processed = outbox.tables["processed_events"]
    with engine.begin() as connection:
        connection.execute(
            insert(processed), {"event_id": "e-1", "type": "t", "processed_at": datetime.now(UTC)}
        )
    _migrations(service).upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(select(processed.c.event_id)).scalars().all() == ["e-1"]
    assert _migrations(service).drift(engine) == []


def test_processes_starting_together_migrate_once(urls: dict[str, str]) -> None:
    url = urls["scheduler"]
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            _migrations("scheduler").upgrade(engine_for(url))
        except BaseException as error:  # the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert _migrations("scheduler").current(engine_for(url)) == _migrations("scheduler").head()


CATALOG = """
SELECT 'constraint ' || rel.relname || '.' || con.conname || ': ' || pg_get_constraintdef(con.oid)
  FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
  JOIN pg_namespace ns ON ns.oid = rel.relnamespace WHERE ns.nspname = 'public'
UNION ALL
SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'extension ' || extname FROM pg_extension
UNION ALL
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
       || is_nullable || ' ' || coalesce(character_maximum_length::text, '')
  FROM information_schema.columns WHERE table_schema = 'public'
"""


def _catalog(engine: Engine, version_table: str) -> set[str]:
    with engine.connect() as connection:
        rows = connection.execute(text(CATALOG)).scalars()
        return {row for row in rows if version_table not in row}


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_build_what_create_all_builds_on_postgresql(service: str) -> None:
    # Autogenerate cannot see exclusion constraints, extensions or index predicates: compare
    # PostgreSQL's own catalog of a migrated database with one the models made.
    from shared.db import create_schema

    with fresh_databases(f"cat{os.getpid()}") as databases:
        made, migrated = engine_for(databases["registry"]), engine_for(databases["scheduler"])
        create_schema(made, RUNTIMES[service].metadata)
        _migrations(service).upgrade(migrated)
        version_table = _migrations(service).version_table
        assert _catalog(migrated, version_table) == _catalog(made, version_table)
        made.dispose()
        migrated.dispose()
