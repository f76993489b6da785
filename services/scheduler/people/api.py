"""Routes for people: educators and facilitators sign up; facilitators list their cohorts."""

from fastapi import APIRouter

from services.scheduler.deps import (
    AffiliateOrOperator,
    FacilitatorOrOperator,
    FacilitatorReader,
    Limit,
    Offset,
    Operator,
    SessionDep,
    errors,
)
from services.scheduler.people import availability, sharing
from services.scheduler.people import service as people
from services.scheduler.people.certifications import change_certifications
from services.scheduler.people.facilitator_profile import read_facilitator
from services.scheduler.people.schemas import (
    AssignmentsPublic,
    AvailabilityChange,
    CertificationsChange,
    ChangedFacilitator,
    EducatorCreate,
    EducatorPublic,
    FacilitatorCreate,
    FacilitatorPublic,
    FacilitatorsPublic,
    SharingChange,
)
from shared.auth import BearerCredential
from shared.validation import Id, RowId

router = APIRouter(tags=["people"])


@router.post(
    "/educators",
    status_code=201,
    summary="Add an educator's profile",
    description="For operators and affiliate members. The person is kept by the accounts "
    "service (their id is their accounts id) and signs in by emailed link; nothing is mailed "
    "until they do. 409 when the profile exists.",
    responses=errors(401, 403, 409, 422, 503),
)
def create_educator(
    educator_in: EducatorCreate,
    session: SessionDep,
    principal: AffiliateOrOperator,
    bearer: BearerCredential,
) -> EducatorPublic:
    """Add an educator's profile."""
    return people.create_educator(
        session=session, data=educator_in, principal=principal, bearer=bearer
    )


@router.post(
    "/facilitators",
    status_code=201,
    summary="Add a facilitator to the pool",
    description="Availability windows are weekly, in the facilitator's own `timezone` "
    "(weekday Mon=0..Sun=6, `start`/`end` as HH:MM, end after start). Cohorts of their "
    "programs that wait for a facilitator are staffed at once, right after the commit. The "
    "accounts service invites the facilitator by mail; nobody else can act as them.",
    responses=errors(401, 403, 409, 422, 503),
)
def create_facilitator(
    facilitator_in: FacilitatorCreate,
    session: SessionDep,
    principal: AffiliateOrOperator,
    bearer: BearerCredential,
) -> FacilitatorPublic:
    """Add a facilitator to the pool."""
    return people.create_facilitator(
        session=session, data=facilitator_in, principal=principal, bearer=bearer
    )


@router.get(
    "/facilitators/{facilitator_id}",
    summary="Read a facilitator",
    description="That facilitator, the operator, or an admin of the affiliate whose own "
    "facilitator this is: certifications, zone, weekly windows, cap, sharing, verified.",
    responses=errors(401, 403, 404),
)
def get_facilitator(
    facilitator_id: Id, session: SessionDep, principal: FacilitatorReader
) -> FacilitatorPublic:
    """One facilitator."""
    return read_facilitator(session=session, facilitator_id=facilitator_id, principal=principal)


@router.put(
    "/facilitators/{facilitator_id}/sharing",
    summary="Share an affiliate's own facilitator with every affiliate",
    description="Operator only. An affiliate's own facilitator leads only its offerings until "
    "shared; cohorts waiting for a facilitator are staffed at once after a change. Unsharing "
    "keeps the cohorts they already lead.",
    responses=errors(401, 403, 404, 422),
)
def change_sharing(
    facilitator_id: Id, sharing_in: SharingChange, session: SessionDep, operator: Operator
) -> FacilitatorPublic:
    """Share a facilitator, or keep them to their affiliate."""
    return sharing.change_sharing(
        session=session, facilitator_id=facilitator_id, data=sharing_in, principal=operator
    )


@router.put(
    "/facilitators/{facilitator_id}/availability",
    summary="Replace a facilitator's weekly availability",
    description="That facilitator or the operator; windows as for POST /facilitators. A cohort "
    "they lead with a meeting ahead outside the new windows is given up: they are told "
    "(`facilitator_cancel`), another certified facilitator who fits is booked at once and told, "
    "and `released` lists each such cohort with whether it was re-staffed. Cohorts of their "
    "programs that wait for a facilitator are staffed right after the commit. 409 only when "
    "they were booked meanwhile (send the change again).",
    responses=errors(401, 403, 404, 409, 422),
)
def change_availability(
    facilitator_id: Id,
    availability_in: AvailabilityChange,
    session: SessionDep,
    principal: FacilitatorOrOperator,
) -> ChangedFacilitator:
    """Replace the facilitator's availability windows."""
    return availability.change_availability(
        session=session, facilitator_id=facilitator_id, data=availability_in, principal=principal
    )


@router.put(
    "/facilitators/{facilitator_id}/certifications",
    summary="Replace a facilitator's certifications",
    description="Operator only: the program codes they may lead. A cohort they lead with a "
    "meeting ahead, of a program no longer listed, is given up as for an availability change "
    "(`released`); waiting cohorts of the programs listed are staffed right after the commit.",
    responses=errors(401, 403, 404, 409, 422),
)
def certify(
    facilitator_id: Id,
    certifications_in: CertificationsChange,
    session: SessionDep,
    operator: Operator,
) -> ChangedFacilitator:
    """Certify a facilitator for programs, or withdraw a certification."""
    return change_certifications(
        session=session, facilitator_id=facilitator_id, data=certifications_in, principal=operator
    )


@router.get(
    "/facilitators",
    summary="List the facilitator pool",
    description="The operator: the whole pool, or one affiliate's own facilitators with "
    "`affiliate_id`. An affiliate's admins: their affiliate's own facilitators (name it with "
    "`affiliate_id` when they administer several; another affiliate is 404). By id.",
    responses=errors(401, 403, 404, 422),
)
def list_facilitators(
    session: SessionDep,
    principal: AffiliateOrOperator,
    affiliate_id: RowId | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> FacilitatorsPublic:
    """A page of facilitators."""
    whose = people.listed_affiliate(principal, affiliate_id)
    return people.list_facilitators(session=session, limit=limit, offset=offset, affiliate_id=whose)


@router.get(
    "/facilitators/{facilitator_id}/assignments",
    summary="Cohorts a facilitator leads",
    description="That facilitator or the operator; each cohort comes with its meetings.",
    responses=errors(401, 403, 404),
)
def facilitator_assignments(
    facilitator_id: Id,
    session: SessionDep,
    principal: FacilitatorOrOperator,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AssignmentsPublic:
    """A page of the facilitator's active assignments."""
    return people.facilitator_assignments(
        session=session,
        facilitator_id=facilitator_id,
        principal=principal,
        limit=limit,
        offset=offset,
    )
