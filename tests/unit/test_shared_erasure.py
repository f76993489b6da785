"""Rewriting stored events for `person.erased`: the person goes, everything else stays."""

from shared import erasure


def test_the_person_is_rewritten_wherever_an_event_names_them() -> None:
    person = erasure.Person(7)
    person.learn(["Ana@Schools.example.org"], [])
    payload = {
        "type": "cohort.updated",
        "data": {
            "recipients": [
                {"kind": "educator", "id": 7, "name": "Ana Díaz", "email": "old@schools.example"},
                {"kind": "educator", "id": 8, "name": "Bo Li", "email": "bo@schools.example"},
            ],
            "sign_in": {"email": "ana@schools.example.org", "name": "Ana"},
            "explanation": "Picked 1 of 2: Ana Díaz (id 7): certified for x",
            "cohort": {"id": 7, "title": "Calm classrooms"},
        },
    }
    data = erasure.scrub(payload, person)["data"]
    stand_in = {"name": erasure.ERASED_NAME, "email": "erased-7@invalid"}
    assert data["recipients"][0] == {"kind": "educator", "id": 7} | stand_in
    assert data["recipients"][1]["name"] == "Bo Li"
    assert data["sign_in"] == stand_in
    assert data["explanation"] == "Picked 1 of 2: Erased person (id 7): certified for x"
    assert data["cohort"] == {"id": 7, "title": "Calm classrooms"}
    assert person.emails == {"ana@schools.example.org", "old@schools.example"}


def test_a_second_erasure_changes_nothing_and_learns_no_stand_in() -> None:
    person = erasure.Person(7)
    once = erasure.scrub({"educator": {"id": 7, "name": "Ana", "email": "a@x.example"}}, person)
    again = erasure.Person(7)
    assert erasure.scrub(once, again) == once
    assert again.emails == set() and again.names == set()
    assert erasure.is_erased_email(erasure.erased_email(7))
    assert '"id":7' in erasure.mentions(again)
