"""Registry: affiliates and their keys, programs, and who may call what."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from services.registry.database import runtime
from services.registry.models import Affiliate
from tests.support.registry import (
    bearer,
    make_affiliate,
    make_offering,
    make_program,
    offering_body,
    registry_client,
    unique,
)
from tests.support.tokens import educator_token, next_person_id, person_token


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


def test_register_affiliate_answers_without_any_key(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {"name": unique("Ohio EA"), "state": "oh", "timezone": "America/New_York"}
    response = client.post("/affiliates", json=body, headers=admin_headers)
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "name", "state", "timezone", "contact_email"}
    assert created["contact_email"] is None
    assert created["state"] == "OH"


def test_members_post_by_their_part(client: TestClient, admin_headers: dict[str, str]) -> None:
    affiliate = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    for headers in (affiliate["headers"], affiliate["admin_headers"]):
        offering = make_offering(client, headers, program["code"])
        assert offering["affiliate_id"] == affiliate["id"]
    body = offering_body(program["code"])
    viewer = client.post("/offerings", json=body, headers=affiliate["viewer_headers"])
    assert viewer.status_code == 403
    change = client.patch(
        f"/offerings/{offering['id']}", json={"title": "New"}, headers=affiliate["viewer_headers"]
    )
    assert change.status_code == 403
    seen = client.get(f"/offerings/{offering['id']}", headers=affiliate["viewer_headers"])
    assert seen.status_code == 200


def test_a_member_of_several_affiliates_says_which(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    first, second = make_affiliate(client, admin_headers), make_affiliate(client, admin_headers)
    third = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    roles = [
        {"role": "affiliate", "affiliate_id": first["id"], "member_role": "editor"},
        {"role": "affiliate", "affiliate_id": third["id"], "member_role": "admin"},
        {"role": "affiliate", "affiliate_id": second["id"], "member_role": "viewer"},
        {"role": "affiliate", "affiliate_id": 987_654_321, "member_role": "editor"},
    ]
    headers = bearer(person_token(next_person_id(), roles))
    body = offering_body(program["code"])
    unsaid = client.post("/offerings", json=body, headers=headers)
    assert unsaid.status_code == 422 and unsaid.json()["detail"][0]["loc"] == [
        "body",
        "affiliate_id",
    ]
    posted = client.post("/offerings", json={**body, "affiliate_id": first["id"]}, headers=headers)
    assert posted.status_code == 201 and posted.json()["affiliate_id"] == first["id"]
    as_viewer = client.post(
        "/offerings", json={**body, "affiliate_id": second["id"]}, headers=headers
    )
    assert as_viewer.status_code == 403
    unknown = client.post("/offerings", json={**body, "affiliate_id": 987_654_321}, headers=headers)
    assert unknown.status_code == 422


def test_tokens_not_signed_by_accounts_are_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    import jwt

    from tests.support.tokens import sign_with_another_key

    forged = sign_with_another_key([{"role": "operator"}])
    assert client.get("/affiliates", headers=bearer(forged)).status_code == 401
    claims = {"sub": "1", "sid": "s", "roles": [{"role": "operator"}], "iss": "cohort-accounts"}
    hs256 = jwt.encode(
        claims | {"aud": "cohort", "exp": 4_000_000_000, "iat": 1},
        "test-secret-key-0123456789abcdef",
    )
    assert client.get("/affiliates", headers=bearer(hs256)).status_code == 401
    expired = person_token(next_person_id(), [{"role": "operator"}], exp=1_000_000)
    assert client.get("/affiliates", headers=bearer(expired)).status_code == 401
    assert client.get("/affiliates", headers=admin_headers).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "state": "Ohio", "timezone": "America/New_York"}, "state"),
        ({"name": "X", "state": "ZZ", "timezone": "America/New_York"}, "state"),
        ({"name": "X", "state": "OH", "timezone": "Eastern"}, "timezone"),
        ({"name": "", "state": "OH", "timezone": "America/New_York"}, "name"),
        ({"state": "OH", "timezone": "America/New_York"}, "name"),
    ],
)
def test_register_affiliate_refuses_bad_input(
    client: TestClient, admin_headers: dict[str, str], body: dict[str, str], field: str
) -> None:
    response = client.post("/affiliates", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_operator_routes_need_the_operator(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    affiliate = make_affiliate(client, admin_headers)
    educator = bearer(educator_token(next_person_id(), "someone@schools.example.org"))
    body = {"name": "X", "state": "OH", "timezone": "America/New_York"}
    program = {"code": unique("p"), "title": "T"}
    for path, payload in (("/affiliates", body), ("/programs", program)):
        assert client.post(path, json=payload).status_code == 401
        assert client.post(path, json=payload, headers=bearer("nonsense")).status_code == 401
        assert client.post(path, json=payload, headers=affiliate["headers"]).status_code == 403
        assert client.post(path, json=payload, headers=educator).status_code == 403
    assert client.get("/affiliates").status_code == 401
    assert client.get("/affiliates", headers=affiliate["headers"]).status_code == 403


def test_add_program_and_list_it_without_a_token(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    code = unique("implicit-bias")
    body = {
        "code": code,
        "title": "Implicit Bias",
        "description": "Recognising bias in the classroom.",
        "facilitators_required": 2,
        "max_participants": 25,
        "pd_hours": 4.5,
        "sensitive": True,
        "completion_percent": 80,
    }
    response = client.post("/programs", json=body, headers=admin_headers)
    assert response.status_code == 201
    assert response.json() == {**body, "listed_publicly": True, "id": response.json()["id"]}
    listed = client.get("/programs", params={"limit": 100})
    assert listed.status_code == 200
    page = listed.json()
    assert set(page) == {"items", "total"}
    if page["total"] <= 100:
        assert code in [item["code"] for item in page["items"]]


def test_duplicate_program_code_is_a_conflict(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = make_program(client, admin_headers)
    again = client.post(
        "/programs", json={"code": program["code"], "title": "Again"}, headers=admin_headers
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"code": "Implicit Bias"}, "code"),
        ({"code": "implicit--bias"}, "code"),
        ({"code": "-bias"}, "code"),
        ({"facilitators_required": 0}, "facilitators_required"),
        ({"max_participants": 0}, "max_participants"),
        ({"pd_hours": -1}, "pd_hours"),
        ({"completion_percent": 0}, "completion_percent"),
        ({"completion_percent": 101}, "completion_percent"),
    ],
)
def test_add_program_refuses_bad_input(
    client: TestClient, admin_headers: dict[str, str], extra: dict[str, object], field: str
) -> None:
    body = {"code": unique("p"), "title": "T", **extra}
    response = client.post("/programs", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_programs_page_through_by_code(client: TestClient, admin_headers: dict[str, str]) -> None:
    for _ in range(3):
        make_program(client, admin_headers)
    first = client.get("/programs", params={"limit": 2}).json()
    second = client.get("/programs", params={"limit": 2, "offset": 2}).json()
    assert len(first["items"]) == 2
    assert first["total"] == second["total"] >= 3
    codes = [item["code"] for item in first["items"] + second["items"]]
    assert codes == sorted(codes)
    assert client.get("/programs", params={"limit": 101}).status_code == 422
    assert client.get("/programs", params={"offset": -1}).status_code == 422
    assert client.get("/programs", headers=bearer("not-a-token")).status_code == 401


def test_affiliates_page_oldest_first(client: TestClient, admin_headers: dict[str, str]) -> None:
    ids = [make_affiliate(client, admin_headers)["id"] for _ in range(2)]
    with Session(runtime.engine()) as session:
        total = len(session.exec(select(col(Affiliate.id))).all())
    page = client.get("/affiliates", params={"limit": 100}, headers=admin_headers).json()
    assert page["total"] == total
    listed = [item["id"] for item in page["items"]]
    assert listed == sorted(listed)
    if total <= 100:
        assert set(ids) <= set(listed)


def test_an_affiliate_has_a_contact_email_that_can_be_mailed(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {"name": unique("Texas SA"), "state": "TX", "timezone": "America/Chicago"}
    email = "training@tsa.example.org"
    created = client.post(
        "/affiliates", json={**body, "contact_email": email}, headers=admin_headers
    )
    assert created.status_code == 201 and created.json()["contact_email"] == email
    listed = client.get("/affiliates", params={"limit": 100}, headers=admin_headers).json()
    assert {"id": created.json()["id"], "contact_email": email}.items() <= next(
        item for item in listed["items"] if item["id"] == created.json()["id"]
    ).items()
    for bad in ("a>@x.example", "no-at-sign", "x@localhost", "a@b.example\nBcc: c@d.example"):
        refused = client.post(
            "/affiliates", json={**body, "contact_email": bad}, headers=admin_headers
        )
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["loc"][-1] == "contact_email"
