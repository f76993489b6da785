"""Changing a program reaches its published offerings: each gets its next version and an
`offering.updated` naming the program fields that changed, drafts and other programs' offerings
none; the audit names the operator. On PostgreSQL, through the registry's API."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.events import Envelope, OfferingUpdated, unwrap
from tests.support.registry import (
    make_affiliate,
    make_offering,
    make_program,
    outbox_events,
    registry_client,
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


def test_a_program_change_is_announced_by_each_published_offering(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    owner = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers, pd_hours=3.0)
    other = make_program(client, admin_headers)
    published = make_offering(client, owner["headers"], program["code"])
    assert client.post(f"/offerings/{published['id']}/publish", headers=owner["headers"]).is_success
    draft = make_offering(client, owner["headers"], program["code"])
    elsewhere = make_offering(client, owner["headers"], other["code"])
    client.post(f"/offerings/{elsewhere['id']}/publish", headers=owner["headers"])
    version = client.get(f"/offerings/{published['id']}", headers=admin_headers).json()["version"]

    change = {"title": "Implicit Bias in Schools", "pd_hours": 4.5, "completion_percent": 80}
    answer = client.patch(f"/programs/{program['id']}", json=change, headers=admin_headers)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in change} == change
    assert answer.json()["listed_publicly"] is True, "a field not named stays as it was"

    (row,) = outbox_events(published["id"], "offering.updated")
    event = unwrap(Envelope.model_validate(row))
    assert isinstance(event, OfferingUpdated)
    assert sorted(event.changed) == [
        "program.completion_percent",
        "program.pd_hours",
        "program.title",
    ]
    assert event.offering.version == version + 1
    assert (event.offering.pd_hours, event.offering.completion_percent) == (4.5, 80)
    assert event.offering.program_title == "Implicit Bias in Schools"
    assert outbox_events(draft["id"], "offering.updated") == []
    assert outbox_events(elsewhere["id"], "offering.updated") == []
    audit = client.get(f"/offerings/{published['id']}/audit", headers=admin_headers).json()
    assert audit["items"][-1]["action"] == "program change"

    same = client.patch(f"/programs/{program['id']}", json={"pd_hours": 4.5}, headers=admin_headers)
    assert same.status_code == 200
    assert len(outbox_events(published["id"], "offering.updated")) == 1, "no change, no news"


def test_a_program_change_names_a_field_and_is_operator_only(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = make_program(client, admin_headers)
    path = f"/programs/{program['id']}"
    assert client.patch(path, json={}, headers=admin_headers).status_code == 422
    assert client.patch(path, json={"pd_hours": -1}, headers=admin_headers).status_code == 422
    assert (
        client.patch(path, json={"completion_percent": 0}, headers=admin_headers).status_code == 422
    )
    owner = make_affiliate(client, admin_headers)
    assert client.patch(path, json={"pd_hours": 1}, headers=owner["headers"]).status_code == 403
    assert (
        client.patch("/programs/999999999", json={"pd_hours": 1}, headers=admin_headers).status_code
        == 404
    )


def test_a_program_made_discreet_announces_it_and_takes_only_a_boolean(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    owner = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    published = make_offering(client, owner["headers"], program["code"])
    client.post(f"/offerings/{published['id']}/publish", headers=owner["headers"])
    path = f"/programs/{program['id']}"
    wrong = client.patch(path, json={"sensitive": "yes"}, headers=admin_headers)
    assert wrong.status_code == 422 and "sensitive" in wrong.text
    assert outbox_events(published["id"], "offering.updated") == [], "nothing half-written"

    answer = client.patch(path, json={"sensitive": True}, headers=admin_headers)
    assert answer.status_code == 200 and answer.json()["sensitive"] is True
    (row,) = outbox_events(published["id"], "offering.updated")
    event = unwrap(Envelope.model_validate(row))
    assert isinstance(event, OfferingUpdated)
    assert event.changed == ["program.sensitive"]
    assert event.offering.sensitive is True


def test_an_affiliate_change_is_announced_by_each_published_offering(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    owner = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    published = make_offering(client, owner["headers"], program["code"])
    client.post(f"/offerings/{published['id']}/publish", headers=owner["headers"])
    path = f"/affiliates/{owner['id']}"
    change = {"name": "Ohio Education Association", "contact_email": "pd@ohea.example.org"}
    answer = client.patch(path, json=change, headers=admin_headers)
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in change} == change
    (row,) = outbox_events(published["id"], "offering.updated")
    event = unwrap(Envelope.model_validate(row))
    assert isinstance(event, OfferingUpdated)
    assert sorted(event.changed) == ["affiliate.contact_email", "affiliate.name"]
    assert event.offering.affiliate_name == "Ohio Education Association"
    assert event.offering.affiliate_contact_email == "pd@ohea.example.org"

    cleared = client.patch(path, json={"contact_email": None}, headers=admin_headers)
    assert cleared.status_code == 200 and cleared.json()["contact_email"] is None
    assert client.patch(path, json={}, headers=admin_headers).status_code == 422
    assert client.patch(path, json={"name": None}, headers=admin_headers).status_code == 422
    assert client.patch(path, json={"name": "x"}, headers=owner["headers"]).status_code == 403
    unknown = client.patch("/affiliates/999999999", json={"name": "x"}, headers=admin_headers)
    assert unknown.status_code == 404
