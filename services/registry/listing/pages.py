"""Pages of the catalogue: statements built once per kind of search, run for plain rows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, or_, select
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlmodel import Session

from services.registry.catalog import OfferingFilters, like_pattern
from services.registry.listing import cursors, rows
from services.registry.models import Affiliate, Program
from services.registry.models_offering import Meeting, Offering
from shared.auth import Principal
from shared.columns import as_utc
from shared.validation import storable_id

OFFERINGS = Offering.__table__  # type: ignore[attr-defined]
AFFILIATES = Affiliate.__table__  # type: ignore[attr-defined]
PROGRAMS = Program.__table__  # type: ignore[attr-defined]
MEETINGS = Meeting.__table__  # type: ignore[attr-defined]
FIELDS = ("program", "state", "affiliate_id", "format", "status", "starts_after", "starts_before")


@dataclass(frozen=True)
class Shape:
    """What a listing's statements depend on: who sees what, which filters, paged how."""

    seen: str  # "all" (the operator), "mine" (an affiliate's), "signed_in" or "public"
    filters: tuple[str, ...]
    words: int
    keyed: bool


def _visibility(seen: str) -> list[ColumnElement[bool]]:
    published = OFFERINGS.c.status == "published"
    if seen == "all":
        return []
    if seen == "mine":
        return [published | OFFERINGS.c.affiliate_id.in_(bindparam("mine", expanding=True))]
    if seen == "signed_in":
        return [published]
    return [published, PROGRAMS.c.listed_publicly.is_(True)]


def _conditions(shape: Shape) -> list[ColumnElement[bool]]:
    o = OFFERINGS.c
    where = {
        "program": PROGRAMS.c.code == bindparam("program"),
        "state": AFFILIATES.c.state == bindparam("state"),
        "affiliate_id": o.affiliate_id == bindparam("affiliate_id"),
        "format": o.format == bindparam("format"),
        "status": o.status == bindparam("status"),
        "starts_after": o.first_starts_at_utc >= bindparam("starts_after"),
        "starts_before": o.first_starts_at_utc < bindparam("starts_before"),
    }
    conditions = _visibility(shape.seen) + [where[name] for name in shape.filters]
    for n in range(shape.words):
        pattern: BindParameter[str] = bindparam(f"word{n}")
        conditions.append(
            func.lower(o.title).like(pattern, escape="\\")
            | func.lower(o.description).like(pattern, escape="\\")
        )
    return conditions


def _joined(statement: Select[Any]) -> Select[Any]:
    return statement.select_from(
        OFFERINGS.join(AFFILIATES, AFFILIATES.c.id == OFFERINGS.c.affiliate_id).join(
            PROGRAMS, PROGRAMS.c.id == OFFERINGS.c.program_id
        )
    )


@lru_cache(maxsize=512)
def statements(shape: Shape) -> tuple[Select[Any], Select[Any]]:
    """The count and the page of one kind of search, built the first time it is asked."""
    conditions = _conditions(shape)
    count = _joined(select(func.count())).where(*conditions)
    page = _joined(select(*rows.COLUMNS)).where(*conditions)
    if shape.keyed:
        after: BindParameter[datetime] = bindparam("after_at")
        page = page.where(
            OFFERINGS.c.first_starts_at_utc >= after,
            or_(OFFERINGS.c.first_starts_at_utc > after, OFFERINGS.c.id > bindparam("after_id")),
        )
    page = page.order_by(OFFERINGS.c.first_starts_at_utc, OFFERINGS.c.id)
    page = page.limit(bindparam("limit")).offset(bindparam("offset"))
    return count, page


MEETINGS_OF = (
    select(MEETINGS.c.offering_id, MEETINGS.c.id, MEETINGS.c.starts_at_utc, MEETINGS.c.ends_at_utc)
    .where(MEETINGS.c.offering_id.in_(bindparam("ids", expanding=True)))
    .order_by(MEETINGS.c.starts_at_utc, MEETINGS.c.id)
)


def _seen(viewer: Principal | None) -> str:
    if viewer is None:
        return "public"
    if viewer.is_operator:
        return "all"
    return "mine" if viewer.affiliates() else "signed_in"


def _values(filters: OfferingFilters) -> dict[str, Any]:
    values = {name: getattr(filters, name) for name in FIELDS}
    for name in ("starts_after", "starts_before"):
        if values[name] is not None:
            values[name] = as_utc(values[name])
    return {name: value for name, value in values.items() if value is not None}


def _search_key(filters: OfferingFilters) -> str:
    return repr((_values(filters), filters.words))


@dataclass(frozen=True)
class PageAsked:
    """Which page: `limit` rows after the cursor's position, or after skipping `offset`."""

    limit: int
    offset: int = 0
    cursor: str | None = None


def _params(viewer: Principal | None, filters: OfferingFilters) -> dict[str, Any]:
    params = _values(filters)
    params.update({f"word{n}": like_pattern(word) for n, word in enumerate(filters.words)})
    if viewer is not None and _seen(viewer) == "mine":
        params["mine"] = viewer.affiliates()
    return params


def _next_cursor(found: Sequence[Row[Any]], more: bool, search: str) -> str | None:
    if not more or not found:
        return None
    last = found[-1]
    return cursors.cursor_of(cursors.Position(as_utc(last.first_starts_at_utc), last.id), search)


def find_offerings(
    *, session: Session, viewer: Principal | None, filters: OfferingFilters, asked: PageAsked
) -> dict[str, Any]:
    """A page `{items, total, next_cursor}` of the offerings the viewer may see, as JSON values."""
    if filters.affiliate_id is not None and not storable_id(filters.affiliate_id):
        return {"items": [], "total": 0, "next_cursor": None}
    search = _search_key(filters)
    position = cursors.position_of(asked.cursor, search) if asked.cursor else None
    params = _params(viewer, filters)
    shape = Shape(_seen(viewer), tuple(_values(filters)), len(filters.words), bool(position))
    count, page = statements(shape)
    connection = session.connection()
    total = connection.execute(count, params).scalar_one()
    if position is not None:
        params.update(after_at=position.first_starts_at_utc, after_id=position.offering_id)
    params.update(limit=asked.limit + 1, offset=asked.offset)
    found = connection.execute(page, params).all()
    more, found = len(found) > asked.limit, found[: asked.limit]
    ids = [row.id for row in found]
    meetings = rows.meetings_by_offering(
        connection.execute(MEETINGS_OF, {"ids": ids}) if ids else []
    )
    items = [
        rows.offering_item(
            row, meetings.get(row.id, []), owns_it=rows.owns(viewer, row.affiliate_id)
        )
        for row in found
    ]
    return {"items": items, "total": total, "next_cursor": _next_cursor(found, more, search)}
