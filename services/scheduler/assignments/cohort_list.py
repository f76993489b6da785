"""Use case of listing cohorts as the consoles show them: who leads each, how full it is, how
long its waitlist is, and why nobody leads it when nobody does.

The operator sees every cohort; an affiliate's members see their affiliate's.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from services.scheduler.assignments.schemas import CohortLead, CohortListed, CohortsListed
from services.scheduler.models import (
    Assignment,
    Cohort,
    Facilitator,
    Meeting,
    Offering,
    Registration,
)
from shared.auth import Principal
from shared.columns import as_utc


def list_cohorts(
    *,
    session: Session,
    principal: Principal,
    status: str | None,
    affiliate_id: int | None,
    starts_after: datetime | None,
    starts_before: datetime | None,
    limit: int,
    offset: int,
) -> CohortsListed:
    """A page of cohorts the caller may see, soonest first meeting first."""
    query = _cohorts(principal, status, affiliate_id, starts_after, starts_before)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.offset(offset).limit(limit)).all()
    ids = [cohort.id or 0 for cohort, *_ in rows]
    leads = _leads(session, ids)
    seated = _seated(session, ids)
    waiting = _waiting(session, {cohort.offering_id for cohort, *_ in rows})
    items = [
        CohortListed(
            id=cohort.id or 0,
            index=cohort.index,
            status=cohort.status,
            offering_id=offering.id,
            offering_title=offering.title,
            program_code=offering.program_code,
            affiliate_id=offering.affiliate_id,
            affiliate_name=offering.affiliate_name,
            first_meeting_at_utc=as_utc(first) if first else None,
            last_meeting_ends_at_utc=as_utc(last) if last else None,
            capacity=offering.capacity,
            seated=seated.get(cohort.id or 0, 0),
            offering_waitlist=waiting.get(offering.id, 0),
            facilitators=leads.get(cohort.id or 0, []),
            needs_facilitator_reason=cohort.needs_facilitator_reason,
            needs_facilitator_detail=cohort.needs_facilitator_detail,
        )
        for cohort, offering, first, last in rows
    ]
    return CohortsListed(items=items, total=int(total))


def _cohorts(
    principal: Principal,
    status: str | None,
    affiliate_id: int | None,
    starts_after: datetime | None,
    starts_before: datetime | None,
) -> Select[Any]:
    spans = (
        select(
            col(Meeting.offering_id).label("offering_id"),
            func.min(Meeting.starts_at_utc).label("first"),
            func.max(Meeting.ends_at_utc).label("last"),
        )
        .group_by(col(Meeting.offering_id))
        .subquery()
    )
    query = (
        sa.select(Cohort, Offering, spans.c.first, spans.c.last)
        .join(Offering, col(Offering.id) == col(Cohort.offering_id))
        .outerjoin(spans, spans.c.offering_id == col(Cohort.offering_id))
        .order_by(spans.c.first, col(Cohort.id))
    )
    if not principal.is_operator:
        query = query.where(col(Offering.affiliate_id).in_(principal.affiliates()))
    if affiliate_id is not None:
        query = query.where(col(Offering.affiliate_id) == affiliate_id)
    if status is not None:
        query = query.where(col(Cohort.status) == status)
    if starts_after is not None:
        query = query.where(spans.c.first >= starts_after)
    if starts_before is not None:
        query = query.where(spans.c.first < starts_before)
    return query


def _leads(session: Session, cohort_ids: list[int]) -> dict[int, list[CohortLead]]:
    leads: dict[int, list[CohortLead]] = {}
    if not cohort_ids:
        return leads
    for assignment, facilitator in session.exec(
        select(Assignment, Facilitator)
        .join(Facilitator, col(Facilitator.id) == col(Assignment.facilitator_id))
        .where(col(Assignment.cohort_id).in_(cohort_ids), Assignment.status == Assignment.ACTIVE)
        .order_by(col(Assignment.id))
    ).all():
        leads.setdefault(assignment.cohort_id, []).append(
            CohortLead(id=facilitator.id or 0, name=facilitator.name, role=assignment.role)
        )
    return leads


def _seated(session: Session, cohort_ids: list[int]) -> dict[int, int]:
    if not cohort_ids:
        return {}
    rows = session.exec(
        select(Registration.cohort_id, func.count())
        .where(
            col(Registration.cohort_id).in_(cohort_ids),
            Registration.status == Registration.CONFIRMED,
        )
        .group_by(col(Registration.cohort_id))
    ).all()
    return {cohort_id or 0: int(count) for cohort_id, count in rows}


def _waiting(session: Session, offering_ids: set[int]) -> dict[int, int]:
    if not offering_ids:
        return {}
    rows = session.exec(
        select(Registration.offering_id, func.count())
        .where(
            col(Registration.offering_id).in_(sorted(offering_ids)),
            Registration.status == Registration.WAITLISTED,
        )
        .group_by(col(Registration.offering_id))
    ).all()
    return {offering_id: int(count) for offering_id, count in rows}
