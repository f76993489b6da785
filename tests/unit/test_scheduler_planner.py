"""The batch planner on hand-made cases: fairness, preferences, clashes within a plan, reasons."""

from datetime import UTC, datetime, time, timedelta

from services.scheduler.assignments.engine import (
    Booking,
    CohortNeed,
    FacilitatorProfile,
    MeetingSlot,
    Pick,
    Window,
    check_facilitator,
    explain_facilitator,
    pick_facilitators,
    plan_assignments,
    plan_greedily,
    score_plan,
)

MONDAY = datetime(2027, 2, 1, 15, tzinfo=UTC)  # 09:00 in Chicago


def person(fid: int, *, home: str = "IL", cap: int = 8, certs: str = "p") -> FacilitatorProfile:
    windows = tuple(Window(d, time(7), time(19)) for d in range(5))
    return FacilitatorProfile(
        fid, f"F{fid}", "America/Chicago", frozenset({certs}), home, cap, windows
    )


def cohort(
    cid: int, day: int, *, program: str = "p", required: int = 1, fmt: str = "in_person"
) -> CohortNeed:
    start = MONDAY + timedelta(days=day)
    meeting = MeetingSlot(cid, start, start + timedelta(hours=2))
    return CohortNeed(cid, program, fmt, "Chicago", "IL", required, (meeting,))


def test_load_is_shared_evenly_between_equal_facilitators() -> None:
    needs = [cohort(c, c) for c in range(1, 5)]
    result = plan_assignments(needs, [person(1), person(2)], time_limit=5, workers=1)
    assert result.status == "OPTIMAL"
    loads = [sum(1 for ids in result.assignments.values() if f in ids) for f in (1, 2)]
    assert loads == [2, 2]
    assert result.objective == result.bound


def test_in_state_facilitator_is_preferred_at_equal_load() -> None:
    result = plan_assignments([cohort(1, 0)], [person(1, home="WI"), person(2)], time_limit=5)
    assert result.assignments == {1: (2,)}


def test_current_facilitator_is_kept_when_still_feasible() -> None:
    pool = [person(1), person(2)]
    assert plan_assignments([cohort(1, 0)], pool, keep={1: (2,)}).assignments == {1: (2,)}
    assert plan_assignments([cohort(1, 0)], pool).assignments == {1: (1,)}


def test_bookings_of_replanned_cohorts_are_replaced_not_counted() -> None:
    need = cohort(1, 0)
    start = need.meetings[0].starts_at_utc
    old = Booking(1, 1, start, start + timedelta(hours=2), True, "Chicago")
    result = plan_assignments([need], [person(1, cap=1)], [old], keep={1: (1,)})
    assert result.assignments == {1: (1,)}


def test_cohorts_in_one_plan_never_share_a_facilitator_at_the_same_time() -> None:
    result = plan_assignments([cohort(1, 0), cohort(2, 0)], [person(1)], time_limit=5)
    assert len(result.assignments) == 1
    [(left_out, reason)] = result.unassigned.items()
    assert {left_out, *result.assignments} == {1, 2}
    assert reason.startswith("nobody_available: 1 certified for p")


def test_unassigned_cohort_says_why() -> None:
    result = plan_assignments([cohort(1, 0, program="q")], [person(1)], time_limit=5)
    assert result.assignments == {}
    assert result.unassigned == {1: "nobody_certified: none of 1 facilitators is certified for q"}


def test_the_only_facilitator_certified_for_a_cohort_goes_to_it() -> None:
    # Same time: cohort 1 fits facilitators 1 and 2, cohort 2 (program q) only facilitator 1.
    needs = [cohort(1, 0), cohort(2, 0, program="q")]
    versatile = FacilitatorProfile(
        1, "F1", "America/Chicago", frozenset({"p", "q"}), "IL", 8, person(1).availability
    )
    pool = [versatile, person(2)]
    result = plan_assignments(needs, pool, time_limit=5)
    assert result.assignments == {1: (2,), 2: (1,)}
    assert result.objective <= plan_greedily(needs, pool).objective
    assert result.objective == score_plan(needs, pool, (), result.assignments).total


def test_every_planned_assignment_can_explain_itself() -> None:
    need = cohort(1, 0)
    text = explain_facilitator(need, person(7), check_facilitator(need, person(7), []), False)
    assert text == (
        "F7 (id 7): certified for p, available Mon 07:00-19:00 America/Chicago, "
        "1/8 sessions in Feb 2027 with this cohort, 0 sessions booked before, in-state"
    )


def test_a_cohort_needing_nobody_is_trivially_staffed() -> None:
    need = cohort(1, 0, required=0)
    pick = pick_facilitators(need, [], [])
    assert isinstance(pick, Pick)
    assert pick.explanation == "No facilitator is required."
    assert plan_assignments([need], []).assignments == {1: ()}
