"""What portal tests need to exist, made through the real services' public HTTP APIs: affiliates,
programs, offerings (published, and known to the scheduler through its event), registrations."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.services import Apis, eventually
from tests.support.tokens import bearer, educator_token, member_token, next_person_id
from tests.support.tokens import operator_token as _operator_token

Json = dict[str, Any]
ZONE = "America/Chicago"
# Tuesday mornings in Chicago, as the page assertions spell them.
MORNINGS = [
    {"starts_at": f"2027-03-{day}T09:00", "ends_at": f"2027-03-{day}T12:00"} for day in (16, 23)
]


def _ok(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), f"{response.request.url}: {response.text}"
    return response.json()


def tag() -> str:
    """A suffix no other test's names carry."""
    return secrets.token_hex(4)


def operator() -> dict[str, str]:
    """Headers of a named operator."""
    return bearer(_operator_token())


def editor_of(affiliate_id: int) -> dict[str, str]:
    """Headers of an editor of an affiliate."""
    return bearer(member_token(affiliate_id, "editor"))


def new_affiliate(apis: Apis, name: str = "Illinois Education Association", **fields: Any) -> Json:
    """An affiliate in Illinois (its name made unique)."""
    body = {"name": f"{name} {tag()}", "state": "IL", "timezone": ZONE, **fields}
    return dict(_ok(httpx.post(f"{apis.registry}/affiliates", json=body, headers=operator())))


def new_program(apis: Apis, title: str = "Implicit Bias", **fields: Any) -> Json:
    """A program with a code of its own (6 PD hours, 30 seats per cohort unless told)."""
    body = {
        "code": f"implicit-bias-{tag()}",
        "title": title,
        "pd_hours": 6.0,
        "max_participants": 30,
        **fields,
    }
    return dict(_ok(httpx.post(f"{apis.registry}/programs", json=body, headers=operator())))


def offering_body(program_code: str, **changes: Any) -> Json:
    """Two Tuesday mornings in person at Peoria's Central Library, 20 seats (override any)."""
    return {
        "program_code": program_code,
        "title": "Implicit Bias in the Classroom",
        "description": "Two mornings on recognising bias.",
        "format": "in_person",
        "timezone": ZONE,
        "venue": {
            "name": "Central Library",
            "address": "1 Main St",
            "city": "Peoria",
            "state": "IL",
        },
        "capacity": 20,
        "meetings": MORNINGS,
        **changes,
    }


def new_offering(
    apis: Apis, affiliate_id: int, program_code: str, *, publish: bool = True, **changes: Any
) -> Json:
    """An offering of the affiliate (a draft unless published), as the registry shows it."""
    headers = editor_of(affiliate_id)
    body = offering_body(program_code, **changes)
    made = _ok(httpx.post(f"{apis.registry}/offerings", json=body, headers=headers))
    if publish:
        _ok(httpx.post(f"{apis.registry}/offerings/{made['id']}/publish", headers=headers))
    return dict(_ok(httpx.get(f"{apis.registry}/offerings/{made['id']}", headers=headers)))


def seats(apis: Apis, *offering_ids: int) -> dict[int, Json]:
    """The scheduler's seats left and waitlist length of each offering it knows."""
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("offering_id", id_) for id_ in offering_ids
    ]
    found = _ok(httpx.get(f"{apis.scheduler}/availability", params=params))
    return {item["offering_id"]: item for item in found["items"]}


def known_to_scheduler(apis: Apis, *offering_ids: int) -> None:
    """Wait until the scheduler has every offering's `offering.published` event."""
    eventually(lambda: len(seats(apis, *offering_ids)) == len(offering_ids), "offering.published")


def new_educator(name: str = "Edu") -> Json:
    """An educator as accounts would sign them in: id, email and headers (test-key token)."""
    person_id = next_person_id()
    email = f"educator-{person_id}@schools.example.org"
    return {
        "id": person_id,
        "email": email,
        "headers": bearer(educator_token(person_id, email, name)),
    }


def register(apis: Apis, headers: dict[str, str], offering_id: int) -> Json:
    """Take a seat (or a waitlist place) at the scheduler."""
    body = {"offering_id": offering_id}
    return dict(_ok(httpx.post(f"{apis.scheduler}/registrations", json=body, headers=headers)))


def fill(apis: Apis, offering_id: int, people: int) -> None:
    """Register that many new educators for an offering."""
    for _ in range(people):
        register(apis, new_educator()["headers"], offering_id)


def named_person(apis: Apis, name: str, email: str, **fields: str) -> Json:
    """A person accounts knows by name before they first sign in."""
    body = {"name": name, "email": email, **fields}
    return dict(_ok(httpx.post(f"{apis.accounts}/people", json=body, headers=operator())))


def local_in(zone: str, seconds: float) -> str:
    """The wall time in `zone` that many seconds from now, to the second."""
    from zoneinfo import ZoneInfo

    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat(timespec="seconds")


def add_member(
    apis: Apis, affiliate_id: int, member_role: str, name: str = "Ana Ruiz", email: str = ""
) -> Json:
    """Make someone (a new address unless given) a member of an affiliate at accounts."""
    address = email or f"member-{tag()}@affiliates.example.org"
    body = {"name": name, "email": address, "member_role": member_role}
    members = f"{apis.accounts}/affiliates/{affiliate_id}/members"
    return dict(_ok(httpx.post(members, json=body, headers=operator())))


def signed_in_at_accounts(apis: Apis, email: str) -> Json:
    """Sign an address in at accounts itself (no portal): the redeem answer with its tokens."""
    from tests.support.accounts import code_from, reset_limits, sign_in_events

    reset_limits()
    asked = httpx.post(f"{apis.accounts}/sign-in", json={"email": email})
    _ok(asked, 202)
    code = code_from(sign_in_events(email)[-1])
    return dict(_ok(httpx.post(f"{apis.accounts}/sign-in/redeem", json={"code": code})))
