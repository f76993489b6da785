"""Hostile input on every scheduler route: never a 5xx; a bad field is 422 naming that field."""

import secrets
from typing import Any
from zoneinfo import available_timezones

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from services.registry.models import AffiliateCreate
from services.registry.models_offering import OFFERING_EXAMPLE, OfferingCreate
from services.scheduler.people.schemas import EducatorCreate, FacilitatorCreate
from tests.support.hostile import (
    BAD_EMAILS,
    BAD_IDS,
    BAD_INSTANTS,
    BAD_LINES,
    BAD_ZONES,
    HUGE,
    UNKNOWN_IDS,
    Case,
    body_cases,
    check_answer,
    id_cases,
    raw_cases,
    send,
)
from tests.support.scheduler import WEEKDAYS, new_educator

BAD_STATES = {"unknown": "ZZ", "nul": "O\x00", "long": "OHIO", "huge": HUGE}
ARABIC_EIGHT = "\u0660\u0668:\u0660\u0660"
BAD_CLOCKS = {"hour": "25:00", "nul": "08:00\x00", "digits": ARABIC_EIGHT, "huge": HUGE}
BAD_COUNTS = {"negative": -1, "over": 201, "2^64": 2**64, "float": 1.5, "text": "many"}
EDUCATOR = {"name": "Ana Ruiz", "email": "ana.hostile@schools.example.org", "timezone": "UTC"}
FACILITATOR = {
    "name": "Kim Lee",
    "email": "kim.hostile@trainers.example.org",
    "timezone": "America/Chicago",
    "certifications": ["implicit-bias"],
    "home_state": "IL",
    "max_sessions_per_month": 4,
    "availability": WEEKDAYS[:1],
}
PLAN = {"starts_after": "2031-01-01T00:00Z", "starts_before": "2031-01-02T00:00Z"}


def _body_cases() -> list[Any]:
    lines = BAD_LINES
    return [
        *body_cases(
            "POST",
            "/educators",
            EDUCATOR,
            {
                ("name",): lines,
                ("email",): BAD_EMAILS,
                ("timezone",): BAD_ZONES,
                ("affiliate_id",): {**BAD_IDS, "2^31": 2**31},
            },
            "operator",
        ),
        *body_cases(
            "POST",
            "/facilitators",
            FACILITATOR,
            {
                ("name",): lines,
                ("email",): BAD_EMAILS,
                ("timezone",): BAD_ZONES,
                ("certifications", 0): lines,
                ("home_state",): BAD_STATES,
                ("max_sessions_per_month",): BAD_COUNTS,
                ("availability", 0, "start"): BAD_CLOCKS,
                ("availability", 0, "weekday"): {"seven": 7, "2^64": 2**64},
            },
            "operator",
        ),
        *body_cases(
            "POST", "/registrations", {"offering_id": 1}, {("offering_id",): BAD_IDS}, "educator"
        ),
        *body_cases(
            "POST",
            "/assignments/plan",
            PLAN,
            {
                ("starts_after",): BAD_INSTANTS,
                ("starts_before",): BAD_INSTANTS,
                ("time_limit",): {"zero": 0, "over": 121, "inf": 1e400, "text": "NaN"},
            },
            "operator",
        ),
    ]


def _route_cases() -> list[Any]:
    cases = []
    for method, path, who in [
        ("POST", "/educators", "operator"),
        ("POST", "/facilitators", "operator"),
        ("POST", "/registrations", "educator"),
        ("POST", "/assignments/plan", "operator"),
    ]:
        cases += raw_cases(method, path, who)
    cases += id_cases("GET", "/registrations/{registration_id}", "registration_id", "operator")
    cases += id_cases(
        "POST", "/registrations/{registration_id}/cancel", "registration_id", "operator"
    )
    cases += id_cases("GET", "/offerings/{offering_id}/roster", "offering_id", "operator")
    cases += id_cases(
        "GET", "/facilitators/{facilitator_id}/assignments", "facilitator_id", "operator"
    )
    cases += id_cases("GET", "/registrations", "offering_id", "operator")
    for label, value in UNKNOWN_IDS.items():
        case = Case("POST", "/registrations", {"offering_id": value}, status=404, who="educator")
        cases.append(pytest.param(case, id=f"POST /registrations offering_id={label}"))
    for label, key in {
        "nul": "k\x00",
        "escape": "k\x1b",
        "crlf": "k\r\nX: y",
        "long": "k" * 256,
    }.items():
        case = Case(
            "POST",
            "/registrations",
            {"offering_id": 1},
            headers={"Idempotency-Key": key},
            field=("body", "Idempotency-Key"),
            who="educator",
        )
        cases.append(pytest.param(case, id=f"POST /registrations Idempotency-Key={label}"))
    pages: dict[str, dict[str, Any]] = {
        "limit": {"zero": 0, "over": 101, "2^64": 2**64},
        "offset": {"negative": -1, "over": 1_000_001, "2^64": 2**64},
        "status": {"unknown": "secret", "nul": "\x00"},
    }
    for path, names in [("/registrations", list(pages)), ("/facilitators", ["limit", "offset"])]:
        for name in names:
            for label, value in pages[name].items():
                case = Case("GET", path, params={name: value}, field=("query", name))
                cases.append(pytest.param(case, id=f"GET {path} {name}={label}"))
    return cases


@pytest.fixture(scope="module")
def world(client: TestClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    # The session's app, already started; this client only reports server errors as answers.
    reporting = TestClient(client.app, raise_server_exceptions=False)
    educator = new_educator(client)
    headers = {"operator": admin_headers, "educator": educator["headers"], "anonymous": {}}
    return {"client": reporting, "headers": headers}


@pytest.mark.parametrize("case", _body_cases() + _route_cases())
def test_hostile_input_is_refused_without_a_server_error(case: Case, world: dict[str, Any]) -> None:
    response = send(world["client"], case, world["headers"][case.who])
    check_answer(response, case)


def _takes(model: type[BaseModel], body: dict[str, Any]) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


def test_the_registry_and_the_scheduler_take_exactly_the_same_zones() -> None:
    names = [*sorted(available_timezones()), "localtime", "posixrules", "Mars/Base", "", "utc"]
    offering = {**OFFERING_EXAMPLE, "program_code": "implicit-bias"}
    for zone in names:
        registry = {
            _takes(AffiliateCreate, {"name": "EA", "state": "OH", "timezone": zone}),
            _takes(OfferingCreate, {**offering, "timezone": zone}),
        }
        scheduler = {
            _takes(EducatorCreate, {**EDUCATOR, "timezone": zone}),
            _takes(FacilitatorCreate, {**FACILITATOR, "timezone": zone}),
        }
        assert len(registry) == 1 and registry == scheduler, zone
    assert _takes(EducatorCreate, {**EDUCATOR, "timezone": "America/New_York"})
    assert not _takes(EducatorCreate, {**EDUCATOR, "timezone": "EST"})


def test_an_accepted_educator_zone_and_address_come_back_as_given(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    email = f"o'brien+{secrets.token_hex(4)}@schools.k12.oh.us"
    body = {"name": "Siobhán O'Brien", "email": f" {email} ", "timezone": "America/Indiana/Knox"}
    created = client.post("/educators", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    assert created.json()["email"] == email
    assert created.json()["timezone"] == "America/Indiana/Knox"
