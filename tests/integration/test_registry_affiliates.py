"""Registry: affiliates and their keys, programs, and who may call what."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from services.registry.database import runtime
from services.registry.models import Affiliate
from shared.auth import Role, hash_key, issue_token
from tests.support.registry import (
    bearer,
    make_affiliate,
    make_offering,
    make_program,
    offering_body,
    registry_client,
    unique,
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


def test_register_affiliate_shows_the_key_once_and_stores_only_its_hash(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {"name": unique("Ohio EA"), "state": "oh", "timezone": "America/New_York"}
    response = client.post("/affiliates", json=body, headers=admin_headers)
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "name", "state", "timezone", "contact_email", "api_key"}
    assert created["contact_email"] is None
    assert created["state"] == "OH"
    with Session(runtime.engine()) as session:
        row = session.get(Affiliate, created["id"])
        assert row is not None
        assert row.key_hash == hash_key(created["api_key"])
        assert created["api_key"] not in row.model_dump_json()
    listed = client.get("/affiliates", params={"limit": 100}, headers=admin_headers).json()
    assert all("api_key" not in item for item in listed["items"])


def test_affiliate_key_is_accepted_for_its_own_work(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    affiliate = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    offering = make_offering(client, affiliate["headers"], program["code"])
    assert offering["affiliate_id"] == affiliate["id"]


def test_key_of_a_deleted_affiliate_stops_working(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    affiliate = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    with Session(runtime.engine()) as session:
        session.delete(session.get(Affiliate, affiliate["id"]))
        session.commit()
    response = client.post(
        "/offerings", json=offering_body(program["code"]), headers=affiliate["headers"]
    )
    assert response.status_code == 401
    assert client.get("/offerings", headers=affiliate["headers"]).status_code == 401


def test_signed_key_that_was_never_issued_is_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    forged = issue_token(role=Role.AFFILIATE, subject_id=987_654_321)
    assert client.get("/offerings", headers=bearer(forged)).status_code == 401
    affiliate = make_affiliate(client, admin_headers)
    with Session(runtime.engine()) as session:
        row = session.get(Affiliate, affiliate["id"])
        assert row is not None
        row.key_hash = hash_key("some other key")
        session.add(row)
        session.commit()
    assert client.get("/offerings", headers=affiliate["headers"]).status_code == 401


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
    educator = bearer(issue_token(role=Role.EDUCATOR, subject_id=1))
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
    }
    response = client.post("/programs", json=body, headers=admin_headers)
    assert response.status_code == 201
    assert response.json() == {**body, "id": response.json()["id"]}
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
