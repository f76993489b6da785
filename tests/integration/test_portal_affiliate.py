"""The affiliate console's pages, the portal in-process with the APIs answered by a fake: who
may see which page, the form's rows, and each registry refusal shown next to its field."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import (
    PERSON,
    FakeAccounts,
    csrf_of,
    heading,
    offering,
    page_of,
    portal_client,
    sign_in,
)

AFFILIATE = 3
EDITOR = {
    **PERSON,
    "roles": [{"role": "affiliate", "affiliate_id": AFFILIATE, "member_role": "editor"}],
}
PROGRAM = {"code": "implicit-bias", "title": "Implicit Bias", "max_participants": 30}
NEW = f"/affiliate/{AFFILIATE}/offerings/new"


def _me(person: dict[str, Any]) -> Any:
    return lambda _: httpx.Response(200, json={**person, "locale": "en"})


@pytest.fixture
def fake() -> FakeAccounts:
    fake = FakeAccounts()
    redeemed = {"session_token": "s", "access_token": "a", "person": EDITOR}
    fake.answers["POST /sign-in/redeem"] = lambda _: httpx.Response(
        200, json={**redeemed, "expires_at": "2999-01-01T00:00:00+00:00"}
    )
    fake.answers["GET /me"] = _me(EDITOR)
    fake.answers["GET /programs"] = page_of(PROGRAM)
    fake.answers["GET /cohorts"] = page_of()
    return fake


@pytest.fixture
def client(fake: FakeAccounts) -> Iterator[TestClient]:
    with portal_client(fake) as client:
        assert sign_in(client).status_code == 303
        yield client


def _field(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea) id="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    return found.group(0)


def _typed(**changes: str) -> dict[str, str]:
    fields = {
        "program_code": "implicit-bias",
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


def test_the_header_links_members_to_the_console_and_one_affiliate_goes_straight_in(
    client: TestClient,
) -> None:
    home = client.get("/")
    assert '<a href="/affiliate">Affiliate console</a>' in home.text
    answer = client.get("/affiliate", follow_redirects=False)
    assert answer.headers["location"] == f"/affiliate/{AFFILIATE}"
    dashboard = client.get(f"/affiliate/{AFFILIATE}")
    assert heading(dashboard.text) == "Affiliate dashboard"
    assert "Nothing needs your attention right now." in dashboard.text


def test_another_affiliate_is_not_found_and_a_viewer_may_not_change(
    client: TestClient, fake: FakeAccounts
) -> None:
    assert client.get("/affiliate/4").status_code == 404
    assert client.get("/affiliate/99999999999999999999").status_code in (400, 404)
    viewer = {
        **PERSON,
        "roles": [{"role": "affiliate", "affiliate_id": 3, "member_role": "viewer"}],
    }
    fake.answers["GET /me"] = _me(viewer)
    assert client.get(f"/affiliate/{AFFILIATE}/offerings").status_code == 200
    assert client.get(NEW).status_code == 403


def test_signed_out_the_console_asks_to_sign_in(fake: FakeAccounts) -> None:
    with portal_client(fake) as client:
        answer = client.get(NEW, follow_redirects=False)
    assert answer.headers["location"] == "/sign-in?next=%2Faffiliate%2F3%2Fofferings%2Fnew"


def test_add_another_meeting_shows_one_more_row_and_saves_nothing(
    client: TestClient, fake: FakeAccounts
) -> None:
    answer = _post(client, NEW, **_typed(action="add-meeting"))
    assert answer.status_code == 200
    assert _field(answer.text, "meeting_2_date")
    assert 'value="02:30"' in _field(answer.text, "meeting_1_start")
    assert fake.asked("POST /offerings") == []


def test_the_gap_error_stands_next_to_its_meeting_start(
    client: TestClient, fake: FakeAccounts
) -> None:
    detail = [
        {
            "loc": ["body", "meetings", 1, "starts_at"],
            "msg": "2027-03-14T02:30 does not exist in America/New_York (the clocks skip it "
            "for daylight saving time)",
        }
    ]
    fake.answers["POST /offerings"] = lambda _: httpx.Response(422, json={"detail": detail})
    # A blank row between the two is left out: the registry's index 1 is the form's row 2.
    typed = _typed(meeting_1_date="", meeting_1_start="", meeting_1_end="")
    typed |= {"meeting_2_date": "2027-03-14", "meeting_2_start": "02:30", "meeting_2_end": "05:00"}
    answer = _post(client, NEW, **typed)
    assert answer.status_code == 422
    start = _field(answer.text, "meeting_2_start")
    assert 'aria-invalid="true"' in start and "meeting_2_start-error" in start
    assert re.search(
        r'id="meeting_2_start-error">.*?does not exist in America/New_York', answer.text, re.S
    )
    assert "aria-invalid" not in _field(answer.text, "meeting_0_start")
    sent = fake.body("POST /offerings")
    assert [m["starts_at"] for m in sent["meetings"]] == ["2027-03-07T09:00", "2027-03-14T02:30"]
    assert sent["affiliate_id"] == AFFILIATE and "venue" not in sent


def test_capacity_over_the_programs_limit_stands_next_to_capacity(
    client: TestClient, fake: FakeAccounts
) -> None:
    detail = [{"loc": ["body", "capacity"], "msg": "exceeds the program's max_participants (30)"}]
    fake.answers["POST /offerings"] = lambda _: httpx.Response(422, json={"detail": detail})
    answer = _post(client, NEW, **_typed(capacity="40"))
    assert 'aria-invalid="true"' in _field(answer.text, "capacity")
    assert "This program allows at most 30 seats per cohort." in answer.text
    assert "up to 30 seats per cohort" in answer.text


def test_a_fold_time_asks_for_its_offset_in_spanish(client: TestClient, fake: FakeAccounts) -> None:
    detail = [
        {
            "loc": ["body", "meetings", 0, "starts_at"],
            "msg": "2027-11-07T01:30 happens twice in America/New_York (daylight saving time "
            "ends); add its offset: -04:00 or -05:00",
        }
    ]
    fake.answers["POST /offerings"] = lambda _: httpx.Response(422, json={"detail": detail})
    client.get("/language/es")
    answer = _post(client, NEW, **_typed(meeting_0_date="2027-11-07", meeting_0_start="01:30"))
    assert 'aria-invalid="true"' in _field(answer.text, "meeting_0_start")
    assert "-04:00 / -05:00" in answer.text and 'lang="es"' in answer.text


def test_a_created_offering_goes_to_its_page(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["POST /offerings"] = lambda _: httpx.Response(
        201, json={"id": 41, "status": "draft"}
    )
    answer = _post(client, NEW, **_typed())
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/affiliate/{AFFILIATE}/offerings/41?done=created"
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=offering(status="draft"))
    page = client.get(answer.headers["location"])
    assert "The offering is saved as a draft." in page.text
    assert ">Publish</button>" in page.text


def test_a_copy_for_next_term_keeps_the_wall_times_across_daylight_saving(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=offering())
    page = client.get(f"/affiliate/{AFFILIATE}/offerings/41/duplicate?weeks=1")
    assert 'value="2027-03-23"' in _field(page.text, "meeting_0_date")
    assert 'value="09:00"' in _field(page.text, "meeting_1_start")
    assert 'name="meeting_0_id"' not in page.text


def test_cancelling_needs_a_reason(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=offering())
    path = f"/affiliate/{AFFILIATE}/offerings/41/cancel"
    answer = _post(client, path, reason="  ")
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in _field(answer.text, "reason")
    fake.answers["POST /offerings/41/cancel"] = lambda _: httpx.Response(
        200, json={"id": 41, "status": "cancelled"}
    )
    answer = _post(client, path, reason="The venue is closed")
    assert answer.status_code == 303
    assert fake.body("POST /offerings/41/cancel") == {"reason": "The venue is closed"}


ADMIN = {
    **PERSON,
    "roles": [{"role": "affiliate", "affiliate_id": AFFILIATE, "member_role": "admin"}],
}
MEMBERS = f"/affiliate/{AFFILIATE}/members"
MIA = {"person_id": 8, "name": "Mia Núñez", "email": "mia@example.org", "member_role": "viewer"}


def test_only_admins_see_the_members(client: TestClient, fake: FakeAccounts) -> None:
    assert client.get(MEMBERS).status_code == 403
    assert f'href="{MEMBERS}"' not in client.get(f"/affiliate/{AFFILIATE}").text
    fake.answers["GET /me"] = _me(ADMIN)
    fake.answers[f"GET /affiliates/{AFFILIATE}/members"] = page_of(
        {**PERSON, "person_id": PERSON["id"], "member_role": "admin"}, MIA
    )
    page = client.get(MEMBERS)
    assert page.status_code == 200 and "Mia Núñez" in page.text
    assert page.text.count(">Change role</button>") == 1  # not for oneself


def test_inviting_checks_the_fields_then_asks_accounts(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /me"] = _me(ADMIN)
    fake.answers[f"GET /affiliates/{AFFILIATE}/members"] = page_of(MIA)
    answer = _post(client, MEMBERS, name="", email="ana@example.org", member_role="editor")
    assert answer.status_code == 422 and 'aria-invalid="true"' in _field(answer.text, "name")
    refused = [{"loc": ["body", "email"], "msg": "not an email address"}]
    fake.answers[f"POST /affiliates/{AFFILIATE}/members"] = lambda _: httpx.Response(
        422, json={"detail": refused}
    )
    answer = _post(client, MEMBERS, name="Ana", email="nope", member_role="editor")
    assert answer.status_code == 422 and 'aria-invalid="true"' in _field(answer.text, "email")
    fake.answers[f"POST /affiliates/{AFFILIATE}/members"] = lambda _: httpx.Response(
        201, json={**MIA, "status": "invited"}
    )
    answer = _post(client, MEMBERS, name="Ana", email="ana@example.org", member_role="editor")
    assert answer.headers["location"] == f"{MEMBERS}?done=invited"
    assert fake.body(f"POST /affiliates/{AFFILIATE}/members") == {
        "name": "Ana",
        "email": "ana@example.org",
        "member_role": "editor",
    }


def test_removing_asks_first_and_someone_else_is_not_found(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /me"] = _me(ADMIN)
    fake.answers[f"GET /affiliates/{AFFILIATE}/members"] = page_of(MIA)
    assert client.get(f"{MEMBERS}/9/remove").status_code == 404
    fake.answers[f"DELETE /affiliates/{AFFILIATE}/members/8"] = lambda _: httpx.Response(204)
    answer = _post(client, f"{MEMBERS}/8/remove")
    assert answer.headers["location"] == f"{MEMBERS}?done=removed"
    assert len(fake.asked(f"DELETE /affiliates/{AFFILIATE}/members/8")) == 1


def test_a_member_of_several_affiliates_picks_one(client: TestClient, fake: FakeAccounts) -> None:
    both = [
        {"role": "affiliate", "affiliate_id": 3, "member_role": "editor"},
        {"role": "affiliate", "affiliate_id": 5, "member_role": "viewer"},
    ]
    fake.answers["GET /me"] = _me({**PERSON, "roles": both})
    page = client.get("/affiliate")
    assert page.status_code == 200
    assert '<a href="/affiliate/3">' in page.text and '<a href="/affiliate/5">' in page.text
    assert client.get("/affiliate/5/offerings/new").status_code == 403


def test_a_change_keeps_meeting_ids_and_sends_only_what_may_change(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=offering())
    path = f"/affiliate/{AFFILIATE}/offerings/41/edit"
    page = client.get(path)
    assert 'value="2027-03-16"' in _field(page.text, "meeting_0_date")
    assert 'name="meeting_1_id" value="923"' in page.text
    fake.answers["PATCH /offerings/41"] = lambda _: httpx.Response(200, json=offering())
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
        "meeting_0_id": "916",
        "program_code": "another",
    }
    answer = _post(client, path, **typed)
    assert answer.headers["location"] == f"/affiliate/{AFFILIATE}/offerings/41?done=saved"
    sent = fake.body("PATCH /offerings/41")
    assert sent["meetings"] == [
        {"starts_at": "2027-03-16T09:00", "ends_at": "2027-03-16T12:00", "id": 916}
    ]
    assert sent["venue"]["city"] == "Peoria" and sent["join_url"] is None
    assert "program_code" not in sent and "format" not in sent


def test_a_new_key_is_shown_once_and_another_affiliates_key_is_not_found(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /me"] = _me(ADMIN)
    keys = [
        {"id": 1, "name": "nightly sync", "affiliate_id": AFFILIATE, "member_role": "viewer"},
        {"id": 2, "name": "someone else's", "affiliate_id": 99, "member_role": "editor"},
    ]
    fake.answers["GET /api-keys"] = page_of(*keys)
    path = f"/affiliate/{AFFILIATE}/api-keys"
    page = client.get(path)
    assert "nightly sync" in page.text and "someone else" not in page.text
    assert client.get(f"{path}/2/revoke").status_code == 404
    answer = _post(client, path, name="", member_role="editor", days="")
    assert answer.status_code == 422 and 'aria-invalid="true"' in _field(answer.text, "name")
    fake.answers["POST /api-keys"] = lambda _: httpx.Response(
        201, json={"id": 3, "name": "feed", "key": "ck_secret_once", "expires_at": None}
    )
    answer = _post(client, path, name="feed", member_role="viewer", days="30")
    assert answer.status_code == 200 and "ck_secret_once" in answer.text
    assert fake.body("POST /api-keys") == {
        "name": "feed",
        "affiliate_id": AFFILIATE,
        "member_role": "viewer",
        "expires_in_days": 30,
    }
    assert "ck_secret_once" not in client.get(path).text
    fake.answers["DELETE /api-keys/1"] = lambda _: httpx.Response(204)
    assert _post(client, f"{path}/1/revoke").headers["location"] == f"{path}?done=revoked"
