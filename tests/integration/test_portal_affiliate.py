"""The affiliate console's offering pages against the real accounts, registry and scheduler: who
may see which page, the form's rows, and each registry refusal shown next to its field."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import Traffic, csrf_of, heading, portal_client, sign_in
from tests.support.portal_world import (
    add_member,
    editor_of,
    new_affiliate,
    new_offering,
    new_program,
)
from tests.support.services import Apis

# The second row of the form left blank.
ONE_MEETING = {"meeting_1_date": "", "meeting_1_start": "", "meeting_1_end": ""}


@pytest.fixture(scope="module")
def program(apis: Apis) -> dict[str, Any]:
    return new_program(apis, max_participants=30)


@pytest.fixture
def affiliate(apis: Apis) -> int:
    return int(new_affiliate(apis)["id"])


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def client(apis: Apis, affiliate: int, traffic: Traffic) -> Iterator[TestClient]:
    """An editor of the affiliate, signed in."""
    member = add_member(apis, affiliate, "editor")
    with portal_client(traffic) as client:
        assert sign_in(client, member["email"]).status_code == 303
        yield client


def _field(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea) id="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    return found.group(0)


def _typed(program: dict[str, Any], **changes: str) -> dict[str, str]:
    fields = {
        "program_code": program["code"],
        "title": "Implicit Bias, spring",
        "description": "",
        "format": "virtual",
        "timezone": "America/New_York",
        "join_url": "https://meet.example.org/ib",
        "capacity": "20",
        "meeting_0_date": "2027-03-07",
        "meeting_0_start": "09:00",
        "meeting_0_end": "12:00",
        "meeting_1_date": "2027-03-14",
        "meeting_1_start": "02:30",
        "meeting_1_end": "05:00",
    }
    return fields | changes


def _post(client: TestClient, path: str, **fields: str) -> httpx.Response:
    form = client.get(path)
    return client.post(path, data={"csrf": csrf_of(form.text), **fields}, follow_redirects=False)


def _new(affiliate: int) -> str:
    return f"/affiliate/{affiliate}/offerings/new"


def test_the_header_links_members_to_the_console_and_one_affiliate_goes_straight_in(
    client: TestClient, affiliate: int
) -> None:
    home = client.get("/")
    assert '<a href="/affiliate">Affiliate console</a>' in home.text
    answer = client.get("/affiliate", follow_redirects=False)
    assert answer.headers["location"] == f"/affiliate/{affiliate}"
    dashboard = client.get(f"/affiliate/{affiliate}")
    assert heading(dashboard.text) == "Affiliate dashboard"
    assert "Nothing needs your attention right now." in dashboard.text


def test_another_affiliate_is_not_found_and_a_viewer_may_not_change(
    apis: Apis, client: TestClient, affiliate: int
) -> None:
    other = new_affiliate(apis)["id"]
    assert client.get(f"/affiliate/{other}").status_code == 404
    assert client.get("/affiliate/99999999999999999999").status_code in (400, 404)
    viewer = add_member(apis, affiliate, "viewer")
    with portal_client() as as_viewer:
        sign_in(as_viewer, viewer["email"])
        assert as_viewer.get(f"/affiliate/{affiliate}/offerings").status_code == 200
        assert as_viewer.get(_new(affiliate)).status_code == 403


def test_signed_out_the_console_asks_to_sign_in(apis: Apis, affiliate: int) -> None:
    with portal_client() as client:
        answer = client.get(_new(affiliate), follow_redirects=False)
    expected = f"/sign-in?next=%2Faffiliate%2F{affiliate}%2Fofferings%2Fnew"
    assert answer.headers["location"] == expected


def test_add_another_meeting_shows_one_more_row_and_saves_nothing(
    client: TestClient, traffic: Traffic, affiliate: int, program: dict[str, Any]
) -> None:
    answer = _post(client, _new(affiliate), **_typed(program, action="add-meeting"))
    assert answer.status_code == 200
    assert _field(answer.text, "meeting_2_date")
    assert 'value="02:30"' in _field(answer.text, "meeting_1_start")
    assert traffic.asked("POST /offerings") == []


def test_the_gap_error_stands_next_to_its_meeting_start(
    client: TestClient, traffic: Traffic, affiliate: int, program: dict[str, Any]
) -> None:
    # A blank row between the two is left out: the registry's index 1 is the form's row 2.
    typed = _typed(program, **ONE_MEETING)
    typed |= {"meeting_2_date": "2027-03-14", "meeting_2_start": "02:30", "meeting_2_end": "05:00"}
    answer = _post(client, _new(affiliate), **typed)
    assert answer.status_code == 422
    start = _field(answer.text, "meeting_2_start")
    assert 'aria-invalid="true"' in start and "meeting_2_start-error" in start
    assert re.search(
        r'id="meeting_2_start-error">.*?does not exist in America/New_York', answer.text, re.S
    )
    assert "aria-invalid" not in _field(answer.text, "meeting_0_start")
    sent = traffic.body("POST /offerings")
    assert [m["starts_at"] for m in sent["meetings"]] == ["2027-03-07T09:00", "2027-03-14T02:30"]
    assert sent["affiliate_id"] == affiliate and "venue" not in sent


def test_capacity_over_the_programs_limit_stands_next_to_capacity(
    client: TestClient, affiliate: int, program: dict[str, Any]
) -> None:
    answer = _post(client, _new(affiliate), **_typed(program, capacity="40", **ONE_MEETING))
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in _field(answer.text, "capacity")
    assert "This program allows at most 30 seats per cohort." in answer.text
    assert "up to 30 seats per cohort" in answer.text


def test_a_fold_time_asks_for_its_offset_in_spanish(
    client: TestClient, affiliate: int, program: dict[str, Any]
) -> None:
    client.get("/language/es")
    typed = _typed(program, meeting_0_date="2027-11-07", meeting_0_start="01:30")
    typed |= {"meeting_0_end": "03:30", **ONE_MEETING}
    answer = _post(client, _new(affiliate), **typed)
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in _field(answer.text, "meeting_0_start")
    assert "-04:00 / -05:00" in answer.text and 'lang="es"' in answer.text


def test_a_created_offering_goes_to_its_page(
    apis: Apis, client: TestClient, affiliate: int, program: dict[str, Any]
) -> None:
    answer = _post(client, _new(affiliate), **_typed(program, **ONE_MEETING))
    assert answer.status_code == 303
    found = re.fullmatch(
        rf"/affiliate/{affiliate}/offerings/(\d+)\?done=created", answer.headers["location"]
    )
    assert found, answer.headers["location"]
    made = httpx.get(f"{apis.registry}/offerings/{found.group(1)}", headers=editor_of(affiliate))
    assert made.json()["status"] == "draft" and made.json()["title"] == "Implicit Bias, spring"
    page = client.get(answer.headers["location"])
    assert "The offering is saved as a draft." in page.text
    assert ">Publish</button>" in page.text


def test_a_copy_for_next_term_keeps_the_wall_times_across_daylight_saving(
    apis: Apis, client: TestClient, affiliate: int, program: dict[str, Any]
) -> None:
    # 2027-03-09 is before the clocks change (March 14), the copy's 2027-03-16 after.
    mornings = [
        {"starts_at": "2027-03-09T09:00", "ends_at": "2027-03-09T12:00"},
        {"starts_at": "2027-03-16T09:00", "ends_at": "2027-03-16T12:00"},
    ]
    offering = new_offering(apis, affiliate, program["code"], meetings=mornings)
    page = client.get(f"/affiliate/{affiliate}/offerings/{offering['id']}/duplicate?weeks=1")
    assert 'value="2027-03-16"' in _field(page.text, "meeting_0_date")
    assert 'value="09:00"' in _field(page.text, "meeting_0_start")
    assert 'value="09:00"' in _field(page.text, "meeting_1_start")
    assert 'name="meeting_0_id"' not in page.text


def test_cancelling_needs_a_reason(
    apis: Apis, client: TestClient, traffic: Traffic, affiliate: int, program: dict[str, Any]
) -> None:
    offering_id = new_offering(apis, affiliate, program["code"])["id"]
    path = f"/affiliate/{affiliate}/offerings/{offering_id}/cancel"
    answer = _post(client, path, reason="  ")
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in _field(answer.text, "reason")
    assert traffic.asked(f"POST /offerings/{offering_id}/cancel") == []
    answer = _post(client, path, reason="The venue is closed")
    assert answer.status_code == 303
    assert traffic.body(f"POST /offerings/{offering_id}/cancel") == {
        "reason": "The venue is closed"
    }
    now = httpx.get(f"{apis.registry}/offerings/{offering_id}", headers=editor_of(affiliate))
    assert now.json()["status"] == "cancelled"


def test_a_change_keeps_meeting_ids_and_sends_only_what_may_change(
    apis: Apis, client: TestClient, traffic: Traffic, affiliate: int, program: dict[str, Any]
) -> None:
    offering = new_offering(apis, affiliate, program["code"])
    first, second = (meeting["id"] for meeting in offering["meetings"])
    path = f"/affiliate/{affiliate}/offerings/{offering['id']}/edit"
    page = client.get(path)
    assert 'value="2027-03-16"' in _field(page.text, "meeting_0_date")
    assert f'name="meeting_1_id" value="{second}"' in page.text
    typed = {
        "title": "Renamed",
        "capacity": "25",
        "venue_name": "Central Library",
        "venue_address": "1 Main St",
        "venue_city": "Peoria",
        "venue_state": "IL",
        "meeting_0_date": "2027-03-16",
        "meeting_0_start": "09:00",
        "meeting_0_end": "12:00",
        "meeting_0_id": str(first),
        "program_code": "another",
    }
    answer = _post(client, path, **typed)
    expected = f"/affiliate/{affiliate}/offerings/{offering['id']}?done=saved"
    assert answer.headers["location"] == expected
    sent = traffic.body(f"PATCH /offerings/{offering['id']}")
    assert sent["meetings"] == [
        {"starts_at": "2027-03-16T09:00", "ends_at": "2027-03-16T12:00", "id": first}
    ]
    assert sent["venue"]["city"] == "Peoria" and sent["join_url"] is None
    assert "program_code" not in sent and "format" not in sent
    changed = httpx.get(f"{apis.registry}/offerings/{offering['id']}", headers=editor_of(affiliate))
    after = changed.json()
    assert (after["title"], after["capacity"], after["program_code"]) == (
        "Renamed",
        25,
        program["code"],
    )
    assert [meeting["id"] for meeting in after["meetings"]] == [first]
