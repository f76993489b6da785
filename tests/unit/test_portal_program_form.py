"""The operator's new-program form read into the registry's body, each wrong field its error;
the dashboard's long waitlists."""

from services.portal.operator import program_form
from services.portal.operator.dashboard import long_waitlists

GOOD = {
    "code": "lgbtq-inclusive-schools",
    "title": "LGBTQ-Inclusive Schools",
    "description": "Making every student welcome.",
    "pd_hours": "1.5",
    "max_participants": "25",
    "facilitators_required": "2",
    "completion_percent": "90",
    "sensitive": "yes",
}


def test_a_good_form_makes_the_registry_body() -> None:
    found = program_form.read_program(GOOD)
    assert found.errors == {}
    assert found.body == {
        "code": "lgbtq-inclusive-schools",
        "title": "LGBTQ-Inclusive Schools",
        "description": "Making every student welcome.",
        "pd_hours": 1.5,
        "max_participants": 25,
        "facilitators_required": 2,
        "completion_percent": 90,
        "sensitive": True,
        "listed_publicly": False,
    }


def test_each_wrong_field_gets_its_error_and_the_form_stays_as_typed() -> None:
    wrong = {
        **GOOD,
        "code": "LGBTQ Schools",
        "title": " ",
        "pd_hours": "lots",
        "max_participants": "0",
        "facilitators_required": "1.5",
        "completion_percent": "101",
    }
    found = program_form.read_program(wrong)
    assert set(found.errors) == {
        "code",
        "title",
        "pd_hours",
        "max_participants",
        "facilitators_required",
        "completion_percent",
    }
    assert found.errors["code"] == (program_form.NOT_A_CODE, {})
    assert found.errors["completion_percent"] == (
        program_form.OUT_OF_RANGE,
        {"low": 1, "high": 100},
    )
    assert found.typed["code"] == "LGBTQ Schools" and found.typed["sensitive"] == "yes"
    assert program_form.read_program({**GOOD, "code": ""}).errors["code"] == (
        program_form.NEEDED,
        {},
    )


def test_the_registrys_refusals_land_on_their_fields() -> None:
    found = program_form.read_program(GOOD)
    taken = program_form.refused(found, 409, "a program with this code exists")
    assert taken.errors == {"code": (program_form.CODE_TAKEN, {})}
    found = program_form.read_program(GOOD)
    detail = [{"loc": ["body", "pd_hours"], "msg": "too many"}, {"loc": ["body"], "msg": "odd"}]
    refused = program_form.refused(found, 422, detail)
    assert refused.errors["pd_hours"] == ("%(reason)s", {"reason": "too many"})
    assert refused.errors["title"] == ("%(reason)s", {"reason": "odd"})


def test_the_edit_form_reads_discretion_and_an_unchecked_box_makes_the_program_open() -> None:
    program = {"title": "T", "description": "", "pd_hours": 3.0, "completion_percent": 100}
    assert program_form.typed_change({**program, "sensitive": True})["sensitive"] == "yes"
    assert program_form.typed_change({**program, "sensitive": False})["sensitive"] == ""
    typed = {"title": "T", "pd_hours": "3", "completion_percent": "100"}
    assert program_form.read_change({**typed, "sensitive": "yes"}).body["sensitive"] is True
    found = program_form.read_change(typed)
    assert found.errors == {} and found.body["sensitive"] is False
    assert set(found.body) == {*program_form.CHANGEABLE, "sensitive"}


def test_the_dashboard_names_each_full_offering_with_a_long_waitlist_once() -> None:
    def cohort(offering: int, seated: int, waiting: int) -> dict[str, int]:
        return {
            "offering_id": offering,
            "seated": seated,
            "capacity": 20,
            "offering_waitlist": waiting,
        }

    cohorts = [
        cohort(1, 20, 7),
        cohort(1, 20, 7),
        cohort(2, 19, 9),
        cohort(3, 20, 4),
        cohort(4, 20, 5),
    ]
    assert [c["offering_id"] for c in long_waitlists(cohorts)] == [1, 4]
