"""The operator's view of a consumer's parked events over HTTP: list them, send one again."""

from datetime import datetime
from typing import Protocol

from fastapi import APIRouter, Path, status
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.engine import Engine

from shared.audit_log import Actor, AuditLog
from shared.auth import Operator
from shared.errors import Conflict, NotFound
from shared.outbox import BusTables
from shared.redrive import Unreadable, count_dead, redrive_one
from shared.routes import Limit, Offset, errors

MAX_ID = 2**63 - 1


class ConsumerRuntime(Protocol):
    """What the router needs of a service: its name, bus tables and engine."""

    service: str
    bus_tables: BusTables
    audit: AuditLog

    def engine(self) -> Engine:
        """The service's engine."""
        ...


class DeadEventOut(BaseModel):
    """One event the service could not apply, with why."""

    id: int
    event_id: str
    type: str
    attempts: int
    error: str
    died_at: datetime


class DeadEventPage(BaseModel):
    """One page of parked events and how many there are in all."""

    items: list[DeadEventOut]
    total: int


class Redriven(BaseModel):
    """The answer to a redrive."""

    status: str = "redriven"


def dead_events_router(runtime: ConsumerRuntime) -> APIRouter:
    """`GET /dead-events` and `POST /dead-events/{id}/redrive` for one consuming service."""
    router = APIRouter(tags=["operations"])
    dead = runtime.bus_tables.dead

    @router.get(
        "/dead-events",
        summary="Events parked as dead, oldest first",
        responses=errors(401, 403),
    )
    def list_dead_events(_: Operator, limit: Limit = 50, offset: Offset = 0) -> DeadEventPage:
        """Every parked event of this service with its error and delivery count."""
        mine = dead.c.consumer == runtime.service
        query = select(dead).where(mine).order_by(dead.c.id).limit(limit).offset(offset)
        engine = runtime.engine()
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        items = [DeadEventOut.model_validate(row, from_attributes=True) for row in rows]
        return DeadEventPage(
            items=items, total=count_dead(runtime.bus_tables, engine, runtime.service)
        )

    @router.post(
        "/dead-events/{dead_event_id}/redrive",
        summary="Send a parked event to this service's queue again",
        status_code=status.HTTP_202_ACCEPTED,
        description="409 when the parked payload is not an event (it stays parked, to be read).",
        responses=errors(401, 403, 404, 409),
    )
    def redrive_dead_event(
        operator: Operator, dead_event_id: int = Path(ge=1, le=MAX_ID)
    ) -> Redriven:
        """Re-send one parked event (once its cause is fixed) and forget the parked copy."""
        try:
            sent = redrive_one(
                runtime.bus_tables,
                runtime.engine(),
                runtime.service,
                dead_event_id,
                audit=runtime.audit,
                actor=Actor.of(operator),
            )
        except Unreadable as exc:
            raise Conflict(str(exc)) from None
        if not sent:
            raise NotFound("dead event not found")
        return Redriven()

    return router
