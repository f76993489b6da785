"""The access matrix: every route of the registry, the scheduler and the notifier, called by every
kind of caller with access tokens as accounts signs them, on their own and on others' objects.

Outcomes: 401 (no token or a forged one), 403 (wrong role), 404 (not yours), or "ok": anything
else that is not a 5xx (200, 201, 202, 409 and 422 all mean the caller got past the checks).
A route served but missing from the matrix fails the completeness test, so a new route must say
who may call it. Rows run in order: destructive rows come after the reads of the same objects.
"""

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.events import Recipient, RegistrationConfirmed
from tests.support import notifier
from tests.support import registry as reg
from tests.support.scheduler import WEEKDAYS, offering_state, publish, register
from tests.support.tokens import (
    bearer,
    educator_token,
    facilitator_token,
    member_token,
    next_person_id,
    sign_with_another_key,
)

ROLES = ("anon", "forged", "edu", "fac", "viewer", "editor", "admin", "other", "op")
OK = "ok"
Row = tuple[str, str, str, Callable[["World"], Any], dict[str, int | str]]


@dataclass
class World:
    """The objects the matrix calls routes on, and every caller's headers."""

    headers: dict[str, dict[str, str]]
    ids: dict[str, Any]


def _email(tag: str) -> str:
    return f"{tag}-{secrets.token_hex(5)}@matrix.example.org"


def _all(outcome: int | str, **overrides: int | str) -> dict[str, int | str]:
    """`outcome` for every signed-in role (anonymous 401, forged 401), with overrides."""
    return {"anon": 401, "forged": 401, **dict.fromkeys(ROLES[2:], outcome), **overrides}


OPERATOR_ONLY = _all(403, op=OK)
PERSONS = _all(OK, op=403)


def _offering_body(world: World) -> dict[str, Any]:
    return reg.offering_body(world.ids["program"])


def _facilitator_body(world: World) -> dict[str, Any]:
    return {
        "name": "Matrix Facilitator",
        "email": _email("fac"),
        "timezone": "America/New_York",
        "certifications": [world.ids["program"]],
        "home_state": "OH",
        "max_sessions_per_month": 5,
        "availability": WEEKDAYS,
    }


def _none(_world: World) -> None:
    return None


REGISTRY: list[Row] = [
    (
        "POST",
        "/affiliates",
        "",
        lambda w: {"name": _email("a"), "state": "OH", "timezone": "America/New_York"},
        OPERATOR_ONLY,
    ),
    ("GET", "/affiliates", "", _none, OPERATOR_ONLY),
    ("PATCH", "/affiliates/{affiliate_id}", "affiliate", lambda w: {}, OPERATOR_ONLY),
    ("POST", "/programs", "", lambda w: {"code": "Bad Code"}, OPERATOR_ONLY),
    ("GET", "/programs", "", _none, _all(OK, anon=OK)),
    (
        "PATCH",
        "/programs/{program_id}",
        "program_id",
        lambda w: {"listed_publicly": True},
        OPERATOR_ONLY,
    ),
    ("POST", "/offerings", "", _offering_body, _all(403, editor=OK, admin=OK, other=OK)),
    ("GET", "/offerings", "", _none, _all(OK, anon=OK)),
    (
        "GET",
        "/offerings/{offering_id}",
        "draft",
        _none,
        _all(404, anon=404, viewer=OK, editor=OK, admin=OK, op=OK),
    ),
    # Published, of a program not listed publicly: anyone signed in, nobody anonymous.
    ("GET", "/offerings/{offering_id}", "quiet", _none, _all(OK, anon=404)),
    (
        "GET",
        "/offerings/{offering_id}/audit",
        "draft",
        _none,
        _all(403, viewer=OK, editor=OK, admin=OK, other=404, op=OK),
    ),
    (
        "PATCH",
        "/offerings/{offering_id}",
        "draft",
        lambda w: {"title": "Renamed"},
        _all(403, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    (
        "POST",
        "/offerings/{offering_id}/publish",
        "draft",
        _none,
        _all(403, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    (
        "POST",
        "/offerings/{offering_id}/cancel",
        "draft",
        lambda w: {"reason": "matrix"},
        _all(403, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    ("GET", "/dead-events", "", _none, OPERATOR_ONLY),
    ("GET", "/audit", "", _none, OPERATOR_ONLY),
    ("POST", "/dead-events/{dead_event_id}/redrive", "unknown", _none, _all(403, op=404)),
]

SCHEDULER: list[Row] = [
    (
        "POST",
        "/educators",
        "",
        lambda w: {"name": "Matrix Educator", "email": _email("edu")},
        _all(OK, edu=403, fac=403, viewer=403),
    ),
    ("POST", "/facilitators", "", _facilitator_body, _all(403, admin=OK, op=OK)),
    ("GET", "/facilitators", "", _none, _all(403, admin=OK, op=OK)),
    (
        "PUT",
        "/facilitators/{facilitator_id}/certifications",
        "fac2",
        lambda w: {"certifications": [w.ids["program"]]},
        OPERATOR_ONLY,
    ),
    (
        "PUT",
        "/facilitators/{facilitator_id}/sharing",
        "fac",
        lambda w: {"shared": False},
        OPERATOR_ONLY,
    ),
    (
        "GET",
        "/facilitators/{facilitator_id}",
        "fac",
        _none,
        _all(403, fac=OK, viewer=404, editor=404, admin=404, other=404, op=OK),
    ),
    (
        "GET",
        "/facilitators/{facilitator_id}",
        "fac2",
        _none,
        _all(403, fac=404, viewer=404, editor=404, admin=404, other=404, op=OK),
    ),
    ("GET", "/facilitators/{facilitator_id}/assignments", "fac", _none, _all(403, fac=OK, op=OK)),
    ("GET", "/facilitators/{facilitator_id}/assignments", "fac2", _none, _all(403, fac=404, op=OK)),
    (
        "PUT",
        "/facilitators/{facilitator_id}/availability",
        "fac2",
        lambda w: {"availability": WEEKDAYS},
        _all(403, fac=404, op=OK),
    ),
    (
        "PUT",
        "/facilitators/{facilitator_id}/availability",
        "fac",
        lambda w: {"availability": WEEKDAYS},
        _all(403, fac=OK, op=OK),
    ),
    ("GET", "/cohorts", "", _none, _all(403, viewer=OK, editor=OK, admin=OK, other=OK, op=OK)),
    (
        "GET",
        "/meetings/{meeting_id}/attendance",
        "meeting",
        _none,
        _all(403, fac=404, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    (
        "PUT",
        "/meetings/{meeting_id}/attendance",
        "meeting",
        lambda w: [],
        _all(403, fac=404, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    (
        "POST",
        "/meetings/{meeting_id}/check-in-codes",
        "meeting",
        _none,
        _all(403, fac=404, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    ("POST", "/check-ins", "", lambda w: {"code": "ABCD-EFGH"}, PERSONS),
    (
        "POST",
        "/cohorts/{cohort_id}/attendance/finalize",
        "cohort",
        _none,
        _all(403, fac=404, viewer=403, editor=OK, admin=OK, other=404, op=OK),
    ),
    # Every signed-in person is also an educator, with credits of their own.
    ("GET", "/credits", "", _none, _all(OK)),
    ("GET", "/credits/{credit_id}", "unknown", _none, _all(404)),
    ("GET", "/credits/{credit_id}/badge", "unknown", _none, _all(404)),
    # Public keys ask for no token and look at none.
    ("GET", "/.well-known/jwks.json", "", _none, _all(OK, anon=OK, forged=OK)),
    (
        "POST",
        "/credits/{credit_id}/revoke",
        "unknown",
        lambda w: {"reason": "matrix"},
        _all(403, op=404),
    ),
    ("POST", "/registrations", "", lambda w: {"offering_id": w.ids["open"]}, PERSONS),
    ("GET", "/availability", "", _none, _all(OK, anon=OK)),
    ("GET", "/registrations", "", _none, _all(OK)),
    (
        "GET",
        "/registrations/{registration_id}",
        "registration",
        _none,
        _all(OK, fac=404, other=404),
    ),
    (
        "GET",
        "/offerings/{offering_id}/roster",
        "scheduled",
        _none,
        _all(403, fac=404, viewer=OK, editor=OK, admin=OK, other=404, op=OK),
    ),
    (
        "POST",
        "/registrations/{registration_id}/cancel",
        "registration",
        _none,
        _all(OK, fac=404, other=404, viewer=403),
    ),
    (
        "POST",
        "/assignments/plan",
        "",
        lambda w: {"starts_after": "2031-01-01T00:00:00Z", "starts_before": "2031-01-02T00:00:00Z"},
        OPERATOR_ONLY,
    ),
    ("GET", "/dead-events", "", _none, OPERATOR_ONLY),
    ("GET", "/audit", "", _none, OPERATOR_ONLY),
    ("POST", "/dead-events/{dead_event_id}/redrive", "unknown", _none, _all(403, op=404)),
]

NOTIFIER: list[Row] = [
    ("GET", "/deliveries", "", _none, OPERATOR_ONLY),
    ("POST", "/deliveries/{delivery_id}/retry", "unknown", _none, _all(403, op=404)),
    ("GET", "/feeds/me", "", _none, PERSONS),
    ("POST", "/feeds/me/reset", "", _none, PERSONS),
    (
        "GET",
        "/calendars/me/registrations/{registration_id}.ics",
        "registration",
        _none,
        _all(404, edu=OK, op=403),
    ),
    ("GET", "/certificates/{certificate_id}.pdf", "certificate", _none, _all(404)),
    ("GET", "/verify/{certificate_id}", "certificate", _none, _all(404, anon=404)),
    ("GET", "/transcripts/me.pdf", "", _none, _all(OK, op=403)),
    ("GET", "/transcripts/{person_id}.pdf", "unknown", _none, _all(403, op=OK)),
    ("GET", "/dead-events", "", _none, OPERATOR_ONLY),
    ("GET", "/audit", "", _none, OPERATOR_ONLY),
    ("POST", "/dead-events/{dead_event_id}/redrive", "unknown", _none, _all(403, op=404)),
]
# Not role-checked: the feed secret in the path is the credential (tested in test_notifier_api).
EXEMPT = {("notifier", "GET", "/calendars/{feed_secret}.ics")}


@pytest.fixture(scope="module")
def apps(client: TestClient) -> Iterator[dict[str, TestClient]]:
    from services.notifier.main import app as notifier_app

    with reg.registry_client() as registry, TestClient(notifier_app) as notifier:
        yield {"registry": registry, "scheduler": client, "notifier": notifier}


def _quiet_offering(
    registry: TestClient, admin_headers: dict[str, str], editor: dict[str, str]
) -> int:
    """A published offering of a program not listed publicly."""
    code = reg.make_program(registry, admin_headers, listed_publicly=False)["code"]
    offering_id = int(reg.make_offering(registry, editor, code)["id"])
    published = registry.post(f"/offerings/{offering_id}/publish", headers=editor)
    assert published.status_code == 200, published.text
    return offering_id


def _book_in_notifier(educator_id: int, email: str, registration_id: int) -> None:
    """The notifier books the registration (as its consumer would on registration.confirmed)."""
    someone = Recipient(
        kind="educator", id=educator_id, name="Matrix Edu", email=email, timezone=None
    )
    booked = notifier.cohort(notifier.weekly_meetings(1))
    notifier.apply(
        RegistrationConfirmed(registration_id=registration_id, educator=someone, cohort=booked)
    )


@pytest.fixture(scope="module")
def world(apps: dict[str, TestClient], admin_headers: dict[str, str]) -> World:
    registry, scheduler = apps["registry"], apps["scheduler"]
    own, foreign = (
        reg.make_affiliate(registry, admin_headers),
        reg.make_affiliate(registry, admin_headers),
    )
    made_program = reg.make_program(registry, admin_headers)
    program = made_program["code"]
    draft = reg.make_offering(registry, own["headers"], program)
    quiet = _quiet_offering(registry, admin_headers, own["headers"])
    open_one = publish(offering_state(affiliate_id=own["id"]))
    scheduled = publish(offering_state(affiliate_id=own["id"]))
    educator_id = next_person_id()
    educator_email = _email("edu")
    educator = bearer(educator_token(educator_id, educator_email, "Matrix Edu"))
    registration = register(scheduler, {"headers": educator}, scheduled.id)
    _book_in_notifier(educator_id, educator_email, registration["id"])
    facilitators = []
    for _ in range(2):
        body = _facilitator_body(World({}, {"program": program}))
        made = scheduler.post("/facilitators", json=body, headers=admin_headers)
        assert made.status_code == 201, made.text
        facilitators.append(made.json()["id"])
    headers = {
        "anon": {},
        "forged": bearer(sign_with_another_key([{"role": "operator"}])),
        "edu": educator,
        "fac": bearer(facilitator_token(facilitators[0], email=_email("fac"))),
        "viewer": bearer(member_token(own["id"], "viewer")),
        "editor": bearer(member_token(own["id"], "editor")),
        "admin": bearer(member_token(own["id"], "admin")),
        "other": bearer(member_token(foreign["id"], "editor")),
        "op": admin_headers,
    }
    ids = {
        "program": program,
        "program_id": made_program["id"],
        "affiliate": own["id"],
        "draft": draft["id"],
        "quiet": quiet,
        "open": open_one.id,
        "scheduled": scheduled.id,
        "meeting": scheduled.meetings[0].id,
        "registration": registration["id"],
        "cohort": registration["cohort_id"],
        "fac": facilitators[0],
        "fac2": facilitators[1],
        "unknown": 987_654_321,
        "certificate": "Unknown0Certificate0Id0",
    }
    return World(headers, ids)


def _path(template: str, target: str, world: World) -> str:
    if "{" not in template:
        return template
    name = template[template.index("{") + 1 : template.index("}")]
    return template.replace("{" + name + "}", str(world.ids[target]))


def _outcome(status: int) -> int | str:
    assert status < 500, f"a {status} is never an answer"
    return status if status in (401, 403, 404) else OK


@pytest.mark.parametrize(
    ("service", "rows"), [("registry", REGISTRY), ("scheduler", SCHEDULER), ("notifier", NOTIFIER)]
)
def test_every_route_answers_every_caller_as_the_matrix_says(
    apps: dict[str, TestClient], world: World, service: str, rows: list[Row]
) -> None:
    wrong = []
    for method, template, target, body, expected in rows:
        path = _path(template, target, world)
        for role in ROLES:
            answer = apps[service].request(
                method, path, json=body(world), headers=world.headers[role]
            )
            got = _outcome(answer.status_code)
            if got != expected[role]:
                wrong.append(
                    f"{method} {template} ({target or '-'}) as {role}: "
                    f"{answer.status_code}, expected {expected[role]}"
                )
    assert wrong == [], "\n".join(wrong)


def test_the_matrix_names_every_route(apps: dict[str, TestClient]) -> None:
    covered = {
        (service, method, template)
        for service, rows in (
            ("registry", REGISTRY),
            ("scheduler", SCHEDULER),
            ("notifier", NOTIFIER),
        )
        for method, template, *_ in rows
    }
    served = set()
    for service, app in apps.items():
        for path, operations in app.get("/openapi.json").json()["paths"].items():
            if path in ("/healthz", "/readyz", "/metrics"):
                continue
            served |= {(service, method.upper(), path) for method in operations}
    assert served - covered - EXEMPT == set()
