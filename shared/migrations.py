"""Each service's schema under Alembic: upgrade to head, write a new revision, and tell where the
models and the migrations disagree.

A service's migrations live in its own `migrations/` folder and record their revision in their
own version table (`alembic_version_<service>`), so two services can even share one database.
A database made before migrations existed (tables, no version table) is taken to be at the
baseline revision and upgraded from there.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

from shared.db import SCHEMA_LOCK_KEY, is_sqlite

BASELINE = "0001"


@dataclass(frozen=True)
class Migrations:
    """One service's migration scripts and the models they must produce."""

    service: str
    metadata: MetaData
    location: Path

    @property
    def version_table(self) -> str:
        """The table holding this service's current revision."""
        return f"alembic_version_{self.service}"

    def config(self, connection: Connection | None = None) -> Config:
        """An Alembic configuration for this service, bound to `connection` when given."""
        config = Config()
        config.set_main_option("script_location", str(self.location))
        config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")
        config.attributes.update(connection=connection, migrations=self)
        return config

    def head(self) -> str | None:
        """The newest revision of the scripts (None before the first one is written)."""
        return ScriptDirectory.from_config(self.config()).get_current_head()

    def current(self, engine: Engine) -> str | None:
        """The revision the database is at (None when it was never migrated)."""
        with engine.connect() as connection:
            return self._context(connection).get_current_revision()

    def upgrade(self, engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
        """Upgrade the database to `target`; the revisions before and after."""
        with _locked(engine) as connection:
            before = self._context(connection).get_current_revision()
            if before is None and self._has_tables(connection):
                command.stamp(self.config(connection), BASELINE)
                before = BASELINE
            command.upgrade(self.config(connection), target)
            return before, self._context(connection).get_current_revision()

    def drift(self, engine: Engine) -> list[Any]:
        """What autogenerate would change to make the database match the models ([] = nothing)."""
        with engine.connect() as connection:
            return list(compare_metadata(self._context(connection), self.metadata))

    def revision(self, engine: Engine, message: str, revision_id: str) -> None:
        """Write a new revision from the difference between the (upgraded) database and models."""
        with engine.connect() as connection:
            command.revision(
                self.config(connection), message=message, autogenerate=True, rev_id=revision_id
            )

    def _context(self, connection: Connection) -> MigrationContext:
        return MigrationContext.configure(connection, opts=self.options())

    def _has_tables(self, connection: Connection) -> bool:
        existing = set(inspect(connection).get_table_names())
        return bool(existing & set(self.metadata.tables))

    def options(self) -> dict[str, Any]:
        """The options every migration context of this service runs with."""
        return {
            "version_table": self.version_table,
            "target_metadata": self.metadata,
            "compare_type": True,
            "render_as_batch": True,
            "render_item": _render_item,
        }


def run_migrations(context: Any) -> None:
    """The body of every service's `env.py`: run the scripts over the connection given."""
    migrations: Migrations = context.config.attributes["migrations"]
    connection: Connection | None = context.config.attributes.get("connection")
    assert connection is not None, "run migrations through shared.migrations, not the alembic CLI"
    context.configure(connection=connection, **migrations.options())
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    # API, worker and the migrate step may start together: one migrates, the others wait.
    with engine.begin() as connection:
        if not is_sqlite(engine):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")
        yield connection


def _render_item(kind: str, item: Any, autogen_context: Any) -> str | bool:
    # Scripts name plain SQLAlchemy types, so they never depend on SQLModel's wrappers.
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl!r}"
    return False
