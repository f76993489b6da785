"""The operator's add-a-facilitator form read into the scheduler's body, each wrong field its
error; certifications come from repeated checkboxes."""

from services.portal.operator import facilitator_form

GOOD = [
    ("csrf", "x"),
    ("name", " Kai Nakamura "),
    ("email", "kai@facilitators.example.org"),
    ("timezone", "America/Chicago"),
    ("home_state", "il"),
    ("max_sessions_per_month", "12"),
    ("program", "implicit-bias"),
    ("program", "bullying-prevention"),
    ("program", "implicit-bias"),
]


def test_a_good_form_makes_the_scheduler_body_without_availability() -> None:
    found = facilitator_form.read_facilitator(GOOD)
    assert found.errors == {}
    assert found.body == {
        "name": "Kai Nakamura",
        "email": "kai@facilitators.example.org",
        "timezone": "America/Chicago",
        "home_state": "IL",
        "max_sessions_per_month": 12,
        "certifications": ["bullying-prevention", "implicit-bias"],
        "availability": [],
    }


def test_each_wrong_field_gets_its_error() -> None:
    wrong = [
        ("name", ""),
        ("email", "kai at school"),
        ("timezone", ""),
        ("home_state", "Illinois"),
        ("max_sessions_per_month", "201"),
    ]
    found = facilitator_form.read_facilitator(wrong)
    assert found.errors == {
        name: facilitator_form.PROBLEMS[name] for name in facilitator_form.FIELDS
    }
    assert found.typed["home_state"] == "ILLINOIS" and found.typed["programs"] == []


def test_the_first_value_of_a_repeated_field_counts_and_refusals_land_on_fields() -> None:
    found = facilitator_form.read_facilitator([*GOOD, ("name", "Someone Else")])
    assert found.body["name"] == "Kai Nakamura"
    refused = facilitator_form.refused(
        found, [{"loc": ["body", "timezone"], "msg": "not a zone"}, {"loc": [], "msg": "odd"}]
    )
    assert refused.errors == {"timezone": "not a zone", "name": "odd"}
