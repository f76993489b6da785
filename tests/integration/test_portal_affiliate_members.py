"""The affiliate console's members and API keys pages against the real accounts API: only admins
see them, what is sent, and someone else's member or key is not found."""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import Traffic, csrf_of, portal_client, sign_in
from tests.support.portal_world import add_member, new_affiliate, operator
from tests.support.services import Apis


@pytest.fixture
def affiliate(apis: Apis) -> int:
    return int(new_affiliate(apis)["id"])


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def admin(apis: Apis, affiliate: int) -> dict[str, Any]:
    return add_member(apis, affiliate, "admin", name="Ana Ruiz")


@pytest.fixture
def client(apis: Apis, admin: dict[str, Any], traffic: Traffic) -> Iterator[TestClient]:
    """An admin of the affiliate, signed in."""
    with portal_client(traffic) as client:
        assert sign_in(client, admin["email"]).status_code == 303
        yield client


def _field(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea) id="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    return found.group(0)


def _post(client: TestClient, path: str, **fields: str) -> httpx.Response:
    form = client.get(path)
    return client.post(path, data={"csrf": csrf_of(form.text), **fields}, follow_redirects=False)


def _members_at_accounts(apis: Apis, affiliate: int) -> set[str]:
    answer = httpx.get(f"{apis.accounts}/affiliates/{affiliate}/members", headers=operator())
    assert answer.status_code == 200, answer.text
    return {member["email"] for member in answer.json()["items"]}


def test_only_admins_see_the_members(apis: Apis, client: TestClient, affiliate: int) -> None:
    members = f"/affiliate/{affiliate}/members"
    editor = add_member(apis, affiliate, "editor")
    add_member(apis, affiliate, "viewer", name="Mia Núñez")
    with portal_client() as as_editor:
        sign_in(as_editor, editor["email"])
        assert as_editor.get(members).status_code == 403
        assert f'href="{members}"' not in as_editor.get(f"/affiliate/{affiliate}").text
    page = client.get(members)
    assert page.status_code == 200 and "Mia Núñez" in page.text
    assert page.text.count(">Change role</button>") == 2  # the editor and Mia, not oneself


def test_inviting_checks_the_fields_then_asks_accounts(
    apis: Apis, client: TestClient, traffic: Traffic, affiliate: int
) -> None:
    members = f"/affiliate/{affiliate}/members"
    email = f"invited-{affiliate}@schools.example.org"
    answer = _post(client, members, name="", email=email, member_role="editor")
    assert answer.status_code == 422 and 'aria-invalid="true"' in _field(answer.text, "name")
    assert traffic.asked(f"POST /affiliates/{affiliate}/members") == []
    answer = _post(client, members, name="Ana", email="nope", member_role="editor")
    assert answer.status_code == 422 and 'aria-invalid="true"' in _field(answer.text, "email")
    assert len(traffic.asked(f"POST /affiliates/{affiliate}/members")) == 1, "accounts decides"
    answer = _post(client, members, name="Ana", email=email, member_role="editor")
    assert answer.headers["location"] == f"{members}?done=invited"
    assert traffic.body(f"POST /affiliates/{affiliate}/members") == {
        "name": "Ana",
        "email": email,
        "member_role": "editor",
    }
    assert email in _members_at_accounts(apis, affiliate)


def test_removing_asks_first_and_someone_else_is_not_found(
    apis: Apis, client: TestClient, traffic: Traffic, affiliate: int
) -> None:
    members = f"/affiliate/{affiliate}/members"
    mia = add_member(apis, affiliate, "viewer", name="Mia Núñez")
    elsewhere = add_member(apis, new_affiliate(apis)["id"], "viewer")
    assert client.get(f"{members}/{elsewhere['person_id']}/remove").status_code == 404
    confirm = client.get(f"{members}/{mia['person_id']}/remove")
    assert confirm.status_code == 200 and mia["email"] in _members_at_accounts(apis, affiliate)
    answer = _post(client, f"{members}/{mia['person_id']}/remove")
    assert answer.headers["location"] == f"{members}?done=removed"
    assert len(traffic.asked(f"DELETE /affiliates/{affiliate}/members/{mia['person_id']}")) == 1
    assert mia["email"] not in _members_at_accounts(apis, affiliate)


def test_a_member_of_several_affiliates_picks_one(apis: Apis, affiliate: int) -> None:
    other = new_affiliate(apis)["id"]
    member = add_member(apis, affiliate, "editor")
    add_member(apis, other, "viewer", email=member["email"])
    with portal_client() as client:
        sign_in(client, member["email"])
        page = client.get("/affiliate")
        assert page.status_code == 200
        assert f'<a href="/affiliate/{affiliate}">' in page.text
        assert f'<a href="/affiliate/{other}">' in page.text
        assert client.get(f"/affiliate/{other}/offerings/new").status_code == 403


def _key(apis: Apis, affiliate: int, name: str, member_role: str) -> dict[str, Any]:
    body = {"name": name, "affiliate_id": affiliate, "member_role": member_role}
    answer = httpx.post(f"{apis.accounts}/api-keys", json=body, headers=operator())
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


def test_a_new_key_is_shown_once_and_another_affiliates_key_is_not_found(
    apis: Apis, client: TestClient, traffic: Traffic, affiliate: int
) -> None:
    nightly = _key(apis, affiliate, "nightly sync", "viewer")
    theirs = _key(apis, new_affiliate(apis)["id"], "someone else's", "editor")
    path = f"/affiliate/{affiliate}/api-keys"
    page = client.get(path)
    assert "nightly sync" in page.text and "someone else" not in page.text
    assert client.get(f"{path}/{theirs['id']}/revoke").status_code == 404
    answer = _post(client, path, name="", member_role="editor", days="")
    assert answer.status_code == 422 and 'aria-invalid="true"' in _field(answer.text, "name")
    answer = _post(client, path, name="feed", member_role="viewer", days="30")
    assert answer.status_code == 200
    assert traffic.body("POST /api-keys") == {
        "name": "feed",
        "affiliate_id": affiliate,
        "member_role": "viewer",
        "expires_in_days": 30,
    }
    # The key itself: it buys an access token at accounts.
    shown = re.search(r'<code class="feed-url">(cak_[\w-]+)</code>', answer.text)
    assert shown, "the page did not show the new key"
    secret = shown.group(1)
    token = httpx.post(f"{apis.accounts}/token", headers={"Authorization": f"Bearer {secret}"})
    assert token.status_code == 200, token.text
    assert secret not in client.get(path).text
    revoked = _post(client, f"{path}/{nightly['id']}/revoke")
    assert revoked.headers["location"] == f"{path}?done=revoked"
    gone = httpx.post(
        f"{apis.accounts}/token", headers={"Authorization": f"Bearer {nightly['key']}"}
    )
    assert gone.status_code == 401
