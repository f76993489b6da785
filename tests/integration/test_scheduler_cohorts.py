"""GET /cohorts: the consoles' list of cohorts, with leads, seats, waitlist and why nobody leads."""

import random
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from tests.support.scheduler import (
    new_educator,
    new_facilitator,
    offering_state,
    program_code,
    publish,
    register,
)
from tests.support.tokens import bearer, member_token


def _listed(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = client.get("/cohorts", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] >= len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    return items


def test_members_see_their_affiliates_cohorts_with_what_needs_attention(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    ours, theirs = random.sample(range(10_000, 90_000), 2)
    program = program_code()
    lead = new_facilitator(client, admin_headers, program)
    staffed = publish(
        offering_state(
            program=program, capacity=1, affiliate_id=ours, starts=[datetime(2031, 3, 5, 9)]
        )
    )
    unstaffed = publish(offering_state(affiliate_id=ours, starts=[datetime(2031, 2, 5, 9)]))
    elsewhere = publish(offering_state(affiliate_id=theirs))
    for _ in range(3):
        register(client, new_educator(client), staffed.id)
    member = bearer(member_token(ours, "viewer"))

    mine = _listed(client, member, affiliate_id=ours)
    assert [c["offering_id"] for c in mine] == [unstaffed.id, staffed.id], "soonest first"
    waiting, open_ = mine
    assert waiting["status"] == "needs_facilitator" and waiting["facilitators"] == []
    assert waiting["needs_facilitator_reason"] == "nobody_certified"
    assert open_["status"] == "open" and [f["id"] for f in open_["facilitators"]] == [lead["id"]]
    assert (open_["capacity"], open_["seated"], open_["offering_waitlist"]) == (1, 1, 2)
    assert open_["first_meeting_at_utc"].startswith("2031-03-05T14:00")
    assert open_["offering_title"] == staffed.title and open_["affiliate_id"] == ours
    assert _listed(client, member, affiliate_id=theirs) == []
    assert elsewhere.id not in {c["offering_id"] for c in _listed(client, member, limit=100)}
    needing = _listed(client, member, affiliate_id=ours, status="needs_facilitator")
    assert [c["offering_id"] for c in needing] == [unstaffed.id]
    later = _listed(client, member, affiliate_id=ours, starts_after="2031-03-01T00:00:00Z")
    assert [c["offering_id"] for c in later] == [staffed.id]
    assert [c["offering_id"] for c in _listed(client, admin_headers, affiliate_id=theirs)] == [
        elsewhere.id
    ]


def test_who_may_list_cohorts_and_bad_filters(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    assert client.get("/cohorts").status_code == 401
    assert client.get("/cohorts", headers=new_educator(client)["headers"]).status_code == 403
    bad = client.get("/cohorts", params={"status": "full"}, headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "status"]
    late = client.get("/cohorts", params={"starts_after": "1066-10-14"}, headers=admin_headers)
    assert late.status_code == 422
