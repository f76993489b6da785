"""Use cases of the credit ledger: list an educator's credits, read one, revoke one.

Entries are never updated or deleted: a credit's status is whether a reversal exists.
"""

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.scheduler.credits.schemas import CreditPublic, CreditsPublic
from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.models import Credit, CreditReversal, Offering
from services.scheduler.registrations.roster_sheet import safe_cell
from shared import events
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.settings import get_settings
from shared.validation import storable_id

CSV_HEADER = (
    "Program", "Training", "Affiliate", "Hours", "Completed on", "Status", "Verification",
)  # fmt: skip
_BOM = "\ufeff"


def _query() -> Any:
    return (
        select(Credit, Offering, CreditReversal)
        .join(Offering, col(Offering.id) == col(Credit.offering_id))
        .outerjoin(CreditReversal, col(CreditReversal.credit_id) == col(Credit.id))
    )


def _public(credit: Credit, offering: Offering, reversal: CreditReversal | None) -> CreditPublic:
    return CreditPublic(
        id=credit.id or 0,
        educator_id=credit.educator_id,
        registration_id=credit.registration_id,
        offering_id=credit.offering_id,
        program_code=offering.program_code,
        title=offering.title,
        affiliate_name=offering.affiliate_name,
        hours=credit.hours,
        completed_on=credit.completed_on,
        certificate_id=credit.certificate_id,
        status="revoked" if reversal is not None else "valid",
        revoked_reason=reversal.reason if reversal is not None else None,
    )


def list_credits(
    *, session: Session, educator_id: int, limit: int = 50, offset: int = 0
) -> CreditsPublic:
    """An educator's credits, newest first, with the hours of the valid ones."""
    rows = session.exec(
        _query()
        .where(Credit.educator_id == educator_id)
        .order_by(col(Credit.completed_on).desc(), col(Credit.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    total = session.exec(
        select(func.count()).select_from(Credit).where(Credit.educator_id == educator_id)
    ).one()
    hours = session.exec(
        select(func.coalesce(func.sum(Credit.hours), 0.0))
        .outerjoin(CreditReversal, col(CreditReversal.credit_id) == col(Credit.id))
        .where(Credit.educator_id == educator_id, col(CreditReversal.credit_id).is_(None))
    ).one()
    return CreditsPublic(
        items=[_public(*row) for row in rows], total=int(total), hours_total=float(hours)
    )


def get_credit(*, session: Session, credit_id: int, principal: Principal) -> CreditPublic:
    """One credit: its educator's own, or any for the operator; others' are not found."""
    row = (
        session.exec(_query().where(Credit.id == credit_id)).first()
        if storable_id(credit_id)
        else None
    )
    if row is None or not (principal.is_operator or row[0].educator_id == principal.educator_id):
        raise NotFound("credit not found")
    return _public(*row)


def revoke_credit(
    *, session: Session, credit_id: int, reason: str, principal: Principal
) -> CreditPublic:
    """Write the reversal of a credit and tell the notifier; a second revoke is a conflict."""

    def change() -> CreditPublic:
        credit = session.get(Credit, credit_id) if storable_id(credit_id) else None
        if credit is None:
            raise NotFound("credit not found")
        if session.get(CreditReversal, credit_id) is not None:
            raise Conflict("this credit is already revoked")
        session.add(
            CreditReversal(credit_id=credit_id, reason=reason, revoked_by=principal.audit_name)
        )
        session.flush()  # a concurrent revoke trips the primary key here and answers 409 next
        details = {"educator_id": credit.educator_id, "reason": reason}
        runtime.audit_action(session, principal, "credit.revoke", f"credit {credit_id}", details)
        runtime.outbox.record(
            session,
            events.CreditRevoked(
                credit_id=credit_id,
                certificate_id=credit.certificate_id,
                educator_id=credit.educator_id,
                reason=reason,
            ),
        )
        return get_credit(session=session, credit_id=credit_id, principal=principal)

    return run_in_transaction(session, change, retry_integrity=True)


def transcript_csv(credits: Sequence[CreditPublic]) -> str:
    """The credits as CSV for a district: UTF-8 with a byte-order mark, no live formula."""
    base = get_settings().cohort_portal_url.rstrip("/")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in credits:
        row = (
            c.program_code, c.title, c.affiliate_name, c.hours, c.completed_on.isoformat(),
            c.status, f"{base}/verify/{c.certificate_id}",
        )  # fmt: skip
        writer.writerow([safe_cell(cell) for cell in row])
    return _BOM + buffer.getvalue()
