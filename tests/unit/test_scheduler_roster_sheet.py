"""The roster's CSV cells and content negotiation."""

import pytest

from services.scheduler.registrations.roster_sheet import safe_cell, wants_csv


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Zoë O'Neil", "Zoë O'Neil"),
        ("a=b", "a=b"),
        (None, ""),
        (12, "12"),
    ],
)
def test_a_leading_formula_character_is_quoted_and_nothing_else(value: object, shown: str) -> None:
    assert safe_cell(value) == shown


@pytest.mark.parametrize(
    ("accept", "csv"),
    [
        ("text/csv", True),
        ("text/csv; charset=utf-8", True),
        ("TEXT/CSV", True),
        ("application/json", False),
        ("application/json, text/csv", False),
        ("text/csv, application/json", True),
        ("*/*", False),
        ("", False),
        (None, False),
    ],
)
def test_csv_only_when_asked_before_json(accept: str | None, csv: bool) -> None:
    assert wants_csv(accept) is csv
