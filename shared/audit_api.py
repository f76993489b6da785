"""`GET /audit`: the operator's view of who did what in one service, newest first."""

from datetime import datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Query
from pydantic import BaseModel, field_validator
from sqlalchemy.engine import Engine

from shared.audit_log import ACTION_LENGTH, AuditLog
from shared.auth import Role, require_roles
from shared.columns import as_utc
from shared.routes import Limit, Offset, errors
from shared.validation import Instant


class AuditedRuntime(Protocol):
    """What the router needs of a service: its audit log and engine."""

    audit: AuditLog

    def engine(self) -> Engine:
        """The service's engine."""
        ...


class AuditRecordOut(BaseModel):
    """One action: when, who (their name and person id), what, on what, and the details."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    subject: str
    details: dict[str, Any]

    @field_validator("at")
    @classmethod
    def _at_in_utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class AuditPage(BaseModel):
    """One page of audit records and how many match in all."""

    items: list[AuditRecordOut]
    total: int


ActionFilter = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=ACTION_LENGTH,
        pattern=r"^[a-z_]+\.[a-z_]+$",
        description="Only this action (`facilitator.share` …).",
    ),
]
BeforeFilter = Annotated[
    Instant | None,
    Query(description="Only records made before this instant (ISO 8601; without an offset, UTC)."),
]


def audit_router(runtime: AuditedRuntime, operator_only: Any = None) -> APIRouter:
    """`GET /audit` for one service; `operator_only` is the dependency that admits operators
    alone (by default the one every service but accounts verifies tokens with)."""
    router = APIRouter(tags=["operations"])
    guard = operator_only or require_roles(Role.OPERATOR)

    @router.get(
        "/audit",
        summary="Who did what here, newest first",
        responses=errors(401, 403, 422),
        dependencies=[guard],
    )
    def read_audit_log(
        action: ActionFilter = None,
        before: BeforeFilter = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        """Every recorded action of this service, with the person who took it."""
        if before is not None:
            before = as_utc(before)
        with runtime.engine().connect() as connection:
            rows, total = runtime.audit.page(
                connection, limit=limit, offset=offset, action=action, before=before
            )
        return AuditPage(items=[AuditRecordOut.model_validate(r) for r in rows], total=total)

    return router
