"""Routes for completion and PD credit: finalise a cohort, list, read and revoke credits."""

from typing import Annotated

from fastapi import APIRouter, Header, Response

from services.scheduler.credits import finalise, ledger
from services.scheduler.credits.schemas import (
    CreditPublic,
    CreditsPublic,
    FinalisedCohort,
    Revocation,
)
from services.scheduler.deps import (
    AttendanceTaker,
    Limit,
    Offset,
    Operator,
    SessionDep,
    errors,
)
from services.scheduler.registrations import roster_sheet
from shared.auth import Principal, Role, require_roles
from shared.errors import InvalidInput
from shared.validation import RowId

router = APIRouter(tags=["credits"])
CreditReader = Annotated[Principal, require_roles(Role.EDUCATOR, Role.OPERATOR)]


@router.post(
    "/cohorts/{cohort_id}/attendance/finalize",
    summary="Make a cohort's attendance final",
    description="The cohort's facilitators, the owning affiliate's admins and editors, the "
    "operator. Allowed once every participant is marked at every meeting, or from 7 days after "
    "the last meeting (unmarked then counts as absent), else 409. Each participant's share of "
    "the scheduled minutes attended (present: the whole meeting, partial: its minutes, rounded "
    "down) against the program's `completion_percent` decides completion; each completion "
    "writes exactly one credit (`pd_hours`) and a `completion.earned` event. A repeat answers "
    "the same lists and writes nothing; attendance can no longer be changed afterwards.",
    responses=errors(401, 403, 404, 409),
)
def finalize(cohort_id: RowId, session: SessionDep, principal: AttendanceTaker) -> FinalisedCohort:
    """Finalise a cohort's attendance."""
    return finalise.finalise_cohort(session=session, cohort_id=cohort_id, principal=principal)


@router.get(
    "/credits",
    summary="PD credits",
    description="An educator's own credits; the operator names the educator with "
    "`educator_id`. Newest first; `hours_total` adds the valid ones. `Accept: text/csv` gives "
    "a transcript for districts (UTF-8 with a byte-order mark; no cell becomes a formula).",
    response_model=CreditsPublic,
    responses={
        200: {"content": {roster_sheet.CSV_TYPE: {"schema": {"type": "string"}}}},
        **errors(401, 403, 422),
    },
)
def list_credits(
    session: SessionDep,
    principal: CreditReader,
    educator_id: RowId | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
    accept: Annotated[str | None, Header()] = None,
) -> Response | CreditsPublic:
    """Credits of one educator."""
    whose = _whose(principal, educator_id)
    found = ledger.list_credits(session=session, educator_id=whose, limit=limit, offset=offset)
    if not roster_sheet.wants_csv(accept):
        return found
    return Response(
        ledger.transcript_csv(found.items),
        media_type=f"{roster_sheet.CSV_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="credits-{whose}.csv"'},
    )


def _whose(principal: Principal, educator_id: int | None) -> int:
    if principal.is_operator:
        if educator_id is None:
            raise InvalidInput(("query", "educator_id"), "required for the operator")
        return educator_id
    own = principal.educator_id
    if own is None or educator_id not in (None, own):
        raise InvalidInput(("query", "educator_id"), "educators see their own credits only")
    return own


@router.get(
    "/credits/{credit_id}",
    summary="One PD credit",
    description="The credited educator and the operator; anyone else gets 404.",
    responses=errors(401, 403, 404),
)
def read_credit(credit_id: RowId, session: SessionDep, principal: CreditReader) -> CreditPublic:
    """A credit."""
    return ledger.get_credit(session=session, credit_id=credit_id, principal=principal)


@router.post(
    "/credits/{credit_id}/revoke",
    summary="Revoke a PD credit",
    description="Operator only. Writes a reversal entry (the credit itself is never changed) "
    "and a `credit.revoked` event; the credit's status becomes `revoked`. A second revoke is "
    "409.",
    responses=errors(401, 403, 404, 409, 422),
)
def revoke(
    credit_id: RowId, body: Revocation, session: SessionDep, principal: Operator
) -> CreditPublic:
    """Revoke a credit."""
    return ledger.revoke_credit(
        session=session, credit_id=credit_id, reason=body.reason, principal=principal
    )
