"""An affiliate's admins list their own facilitators (and only theirs); the operator lists the
whole pool or one affiliate's. On PostgreSQL, through the scheduler's API."""

import secrets

from fastapi.testclient import TestClient

from tests.support.scheduler import new_facilitator, program_code
from tests.support.tokens import bearer, member_token


def _ids(client: TestClient, headers: dict[str, str], **params: object) -> set[int]:
    answer = client.get("/facilitators", headers=headers, params={"limit": 100, **params})
    assert answer.status_code == 200, answer.text
    return {person["id"] for person in answer.json()["items"]}


def test_an_affiliates_admins_list_their_own_facilitators_only(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    mine, theirs = 80_000 + secrets.randbelow(9_000), 90_000 + secrets.randbelow(9_000)
    program = program_code()
    admin, other_admin = bearer(member_token(mine, "admin")), bearer(member_token(theirs, "admin"))
    own = {new_facilitator(client, admin, program)["id"] for _ in range(2)}
    foreign = new_facilitator(client, other_admin, program)["id"]
    pooled = new_facilitator(client, admin_headers, program)["id"]

    assert _ids(client, admin) == own
    assert _ids(client, admin, affiliate_id=mine) == own
    assert _ids(client, admin_headers, affiliate_id=mine) == own
    assert _ids(client, admin_headers, affiliate_id=theirs) == {foreign}
    assert foreign not in _ids(client, admin) and pooled not in _ids(client, admin)
    asked = client.get("/facilitators", headers=admin, params={"affiliate_id": theirs})
    assert asked.status_code == 404
    for role in ("viewer", "editor"):
        refused = client.get("/facilitators", headers=bearer(member_token(mine, role)))
        assert refused.status_code == 403
