"""The README's event catalogue names every event and every field the contracts carry."""

from pathlib import Path

import pytest

from shared.events import EVENT_TYPES, SUBSCRIPTIONS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_readme_starts_with_the_two_commands() -> None:
    head = README[: README.index("## How it fits together")]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_catalogue_lists_event_with_its_consumers_and_fields(event_type: str) -> None:
    rows = [line for line in README.splitlines() if line.startswith(f"| `{event_type}` |")]
    assert len(rows) == 1, f"{event_type} missing from the event catalogue"
    row = rows[0]
    for consumer in SUBSCRIPTIONS[event_type]:
        assert consumer in row
    for field in EVENT_TYPES[event_type].model_fields:
        assert f"`{field}`" in row, f"{event_type}.{field} not named in the catalogue"


def test_configuration_table_names_every_setting() -> None:
    from shared.settings import Settings

    table = README[README.index("## Configuration") : README.index("## Event catalogue")]
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in table]
    assert missing == []
