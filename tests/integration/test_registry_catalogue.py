"""Registry: keyset pages of the catalogue, and programs kept out of the anonymous catalogue."""

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.registry import (
    Json,
    bearer,
    make_affiliate,
    make_offering,
    make_program,
    registry_client,
)
from tests.support.tokens import educator_token, next_person_id

EDUCATOR = bearer(educator_token(next_person_id(), "reader@schools.example.org"))
VIRTUAL = {"format": "virtual", "venue": None, "join_url": "https://meet.example.org/quiet"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


def _on(day: str, hour: str = "09:00") -> Json:
    end = f"{int(hour[:2]) + 1:02d}{hour[2:]}"
    return {
        "meetings": [{"starts_at": f"{day}T{hour}", "ends_at": f"{day}T{end}"}],
        "registration_closes_at": None,
    }


def _published(client: TestClient, headers: dict[str, str], code: str, **extra: Any) -> int:
    offering = make_offering(client, headers, code, **extra)
    publish = client.post(f"/offerings/{offering['id']}/publish", headers=headers)
    assert publish.status_code == 200, publish.text
    return int(offering["id"])


@pytest.fixture(scope="module")
def paged(client: TestClient, admin_headers: dict[str, str]) -> Json:
    """Seven published offerings of one program, three of them starting at the same instant."""
    ohio = make_affiliate(client, admin_headers, state="OH")
    code = make_program(client, admin_headers)["code"]
    days = ["2027-09-06", "2027-09-06", "2027-09-06", "2027-09-07", "2027-09-08"]
    days += ["2027-09-09", "2027-09-10"]
    ids = [_published(client, ohio["headers"], code, **_on(day)) for day in days]
    return {"code": code, "ids": ids, "ohio": ohio}


def _pages(client: TestClient, params: Json, headers: dict[str, str] | None = None) -> list[Json]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/offerings", params=query, headers=headers or {})
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages


def test_cursor_pages_walk_the_whole_list_in_order_ties_broken_by_id(
    client: TestClient, paged: Json
) -> None:
    pages = _pages(client, {"program": paged["code"], "limit": 2})
    assert [len(page["items"]) for page in pages] == [2, 2, 2, 1]
    assert all(page["total"] == 7 for page in pages)
    walked = [item["id"] for page in pages for item in page["items"]]
    assert walked == sorted(paged["ids"][:3]) + paged["ids"][3:]


def test_a_full_last_page_has_no_next_cursor(client: TestClient, paged: Json) -> None:
    page = client.get("/offerings", params={"program": paged["code"], "limit": 7}).json()
    assert len(page["items"]) == 7 and page["next_cursor"] is None


def test_offset_still_pages_and_gives_a_cursor_too(client: TestClient, paged: Json) -> None:
    query = {"program": paged["code"], "limit": 3, "offset": 3}
    page = client.get("/offerings", params=query).json()
    rest = client.get(
        "/offerings", params={"program": paged["code"], "cursor": page["next_cursor"]}
    ).json()
    assert [item["id"] for item in page["items"] + rest["items"]] == paged["ids"][3:]


def _cursor(client: TestClient, paged: Json) -> str:
    page = client.get("/offerings", params={"program": paged["code"], "limit": 2}).json()
    return str(page["next_cursor"])


def _tampered(cursor: str) -> str:
    plain = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    version, micros, offering_id, digest = plain.split(".")
    changed = f"{version}.{micros}.{int(offering_id) + 1}.{digest[::-1]}"
    return base64.urlsafe_b64encode(changed.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda cursor: cursor[:-3], id="cut"),
        pytest.param(lambda cursor: "!" + cursor, id="not-base64"),
        pytest.param(_tampered, id="tampered"),
        pytest.param(lambda cursor: "bm90IGEgY3Vyc29y", id="made-up"),
    ],
)
def test_an_altered_cursor_is_422_naming_cursor(
    client: TestClient, paged: Json, spoil: Any
) -> None:
    query = {"program": paged["code"], "cursor": spoil(_cursor(client, paged))}
    response = client.get("/offerings", params=query)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_a_cursor_of_another_search_or_with_offset_is_422(client: TestClient, paged: Json) -> None:
    cursor = _cursor(client, paged)
    other = client.get(
        "/offerings", params={"program": paged["code"], "state": "OH", "cursor": cursor}
    )
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["query", "cursor"]
    both = client.get(
        "/offerings", params={"program": paged["code"], "cursor": cursor, "offset": 2}
    )
    assert both.status_code == 422 and both.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_a_listed_offering_reads_the_same_in_the_list_and_alone(
    client: TestClient, paged: Json
) -> None:
    headers = paged["ohio"]["headers"]
    offering_id = _published(client, headers, paged["code"], **VIRTUAL, **_on("2027-10-01"))
    query = {"program": paged["code"], "starts_after": "2027-10-01"}
    for who in (headers, EDUCATOR, {}):
        listed = client.get("/offerings", params=query, headers=who).json()["items"]
        alone = client.get(f"/offerings/{offering_id}", headers=who).json()
        assert listed == [alone]
    assert alone["join_url"] is None
    assert listed[0]["meetings"][0]["starts_at"] == "2027-10-01T09:00:00-04:00"


@pytest.fixture(scope="module")
def quiet(client: TestClient, admin_headers: dict[str, str]) -> Json:
    """A program the operator keeps out of the anonymous catalogue, with one published offering."""
    ohio = make_affiliate(client, admin_headers, state="OH")
    program = make_program(client, admin_headers, sensitive=True)
    change = client.patch(
        f"/programs/{program['id']}", json={"listed_publicly": False}, headers=admin_headers
    )
    assert change.status_code == 200 and change.json()["listed_publicly"] is False
    offering_id = _published(
        client, ohio["headers"], program["code"], **VIRTUAL, **_on("2027-11-02")
    )
    return {"program": program, "offering_id": offering_id, "ohio": ohio}


def _ids(client: TestClient, params: Json, headers: dict[str, str] | None = None) -> list[int]:
    response = client.get("/offerings", params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_a_program_is_listed_publicly_unless_the_operator_says_not(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    program = make_program(client, admin_headers)
    assert program["listed_publicly"] is True
    hidden = make_program(client, admin_headers, listed_publicly=False)
    assert hidden["listed_publicly"] is False


def test_the_anonymous_catalogue_leaves_out_programs_not_listed_publicly(
    client: TestClient, quiet: Json
) -> None:
    code = quiet["program"]["code"]
    assert _ids(client, {"program": code}) == []
    assert client.get("/offerings", params={"program": code}).json()["total"] == 0
    assert client.get(f"/offerings/{quiet['offering_id']}").status_code == 404


def test_anyone_signed_in_sees_them(client: TestClient, quiet: Json) -> None:
    code = quiet["program"]["code"]
    assert _ids(client, {"program": code}, EDUCATOR) == [quiet["offering_id"]]
    seen = client.get(f"/offerings/{quiet['offering_id']}", headers=EDUCATOR)
    assert seen.status_code == 200 and seen.json()["join_url"] is None


def test_the_join_link_stays_with_the_offerings_staff(
    client: TestClient, quiet: Json, admin_headers: dict[str, str]
) -> None:
    path = f"/offerings/{quiet['offering_id']}"
    for staff in (quiet["ohio"]["headers"], admin_headers):
        assert client.get(path, headers=staff).json()["join_url"] == VIRTUAL["join_url"]
        listed = client.get(
            "/offerings", params={"program": quiet["program"]["code"]}, headers=staff
        )
        assert listed.json()["items"][0]["join_url"] == VIRTUAL["join_url"]


def test_programs_not_listed_publicly_are_left_out_of_the_anonymous_program_list(
    client: TestClient, quiet: Json
) -> None:
    def codes(headers: dict[str, str]) -> set[str]:
        page = client.get("/programs", params={"limit": 100, "offset": 0}, headers=headers)
        return {program["code"] for program in page.json()["items"]}

    assert quiet["program"]["code"] not in codes({})
    assert quiet["program"]["code"] in codes(EDUCATOR)


def test_listing_again_brings_them_back(
    client: TestClient, quiet: Json, admin_headers: dict[str, str]
) -> None:
    path = f"/programs/{quiet['program']['id']}"
    assert (
        client.patch(path, json={"listed_publicly": True}, headers=admin_headers).status_code == 200
    )
    try:
        assert _ids(client, {"program": quiet["program"]["code"]}) == [quiet["offering_id"]]
        assert client.get(f"/offerings/{quiet['offering_id']}").json()["join_url"] is None
    finally:
        client.patch(path, json={"listed_publicly": False}, headers=admin_headers)


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("/programs/{id}", {"listed_publicly": "no"}, 422, "listed_publicly"),
        ("/programs/{id}", {}, 422, "body"),
        ("/programs/999999999", {"listed_publicly": True}, 404, None),
    ],
)
def test_changing_a_program_checks_its_input(
    client: TestClient,
    quiet: Json,
    admin_headers: dict[str, str],
    path: str,
    body: Json,
    status: int,
    field: str | None,
) -> None:
    response = client.patch(
        path.format(id=quiet["program"]["id"]), json=body, headers=admin_headers
    )
    assert response.status_code == status, response.text
    if field is not None:
        assert response.json()["detail"][0]["loc"][-1] == field
