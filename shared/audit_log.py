"""Who did what in a service: one `audit_log` table per service, each record written in the same
transaction as the change it describes, read by operators through `GET /audit`.

A record names the person who acted (their name as their token gave it, and their id) and what
they acted on by kind and id ("facilitator 12"); its details hold ids, codes and the values that
changed, never another person's name or address. Erasing a person blanks their name here too.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from shared.auth import Principal
from shared.erasure import ERASED_NAME

_ID_TYPE = BigInteger().with_variant(Integer, "sqlite")
ACTION_LENGTH = 40
SUBJECT_LENGTH = 80


@dataclass(frozen=True)
class Actor:
    """Who acted: the person's id (None for the bootstrap operator or an affiliate key) and the
    name the record shows."""

    person_id: int | None
    name: str

    @classmethod
    def of(cls, principal: Principal) -> "Actor":
        """The actor an authenticated caller is."""
        return cls(principal.person_id, principal.audit_name)


def define_audit_table(metadata: MetaData) -> Table:
    """Add the audit log table to a service's metadata."""
    table = Table(
        "audit_log",
        metadata,
        Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor_id", BigInteger, nullable=True),
        Column("actor_name", String(300), nullable=False),
        Column("action", String(ACTION_LENGTH), nullable=False),
        Column("subject", String(SUBJECT_LENGTH), nullable=False),
        Column("details", JSON, nullable=False),
    )
    Index("ix_audit_log_at", table.c.at)
    Index("ix_audit_log_actor_id", table.c.actor_id)
    return table


@dataclass(frozen=True)
class AuditLog:
    """One service's audit log."""

    table: Table

    def record(
        self,
        connection: Connection,
        actor: Actor,
        action: str,
        subject: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Add a record in the connection's open transaction (it commits with the change)."""
        connection.execute(
            insert(self.table).values(
                at=datetime.now(UTC),
                actor_id=actor.person_id,
                actor_name=actor.name[:300],
                action=action[:ACTION_LENGTH],
                subject=subject[:SUBJECT_LENGTH],
                details=dict(details or {}),
            )
        )

    def forget_actor(self, connection: Connection, person_id: int) -> int:
        """Blank an erased person's name in every record of what they did; how many."""
        table = self.table
        result = connection.execute(
            update(table)
            .where(table.c.actor_id == person_id)
            .values(actor_name=f"{ERASED_NAME} (person {person_id})")
        )
        return result.rowcount

    def page(
        self,
        connection: Connection,
        *,
        limit: int,
        offset: int = 0,
        action: str | None = None,
        before: datetime | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Records newest first (those before `before`, of one `action`, when given), and how many
        match in all."""
        table = self.table
        conditions = []
        if action is not None:
            conditions.append(table.c.action == action)
        if before is not None:
            conditions.append(table.c.at < before)
        query = select(table).where(*conditions)
        rows = connection.execute(
            query.order_by(table.c.at.desc(), table.c.id.desc()).limit(limit).offset(offset)
        ).mappings()
        total = connection.execute(
            select(func.count()).select_from(table).where(*conditions)
        ).scalar_one()
        return [dict(row) for row in rows], int(total)


def create_audit_table_in_migration() -> None:
    """The DDL of `define_audit_table`, for each service's migration that adds the log."""
    from alembic import op  # only migrations need alembic's operations

    op.create_table(
        "audit_log",
        Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor_id", BigInteger, nullable=True),
        Column("actor_name", String(300), nullable=False),
        Column("action", String(ACTION_LENGTH), nullable=False),
        Column("subject", String(SUBJECT_LENGTH), nullable=False),
        Column("details", JSON, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"])
