"""Without a deadline from the registry, registration closes when the first meeting starts."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.support.scheduler import (
    ZONE,
    moved_meetings,
    new_educator,
    offering_state,
    publish,
    update_offering,
)


def _local(delta: timedelta) -> datetime:
    """A naive wall time in the test zone, `delta` from now, to the minute."""
    moment = datetime.now(UTC) + delta
    return moment.astimezone(ZoneInfo(ZONE)).replace(tzinfo=None, second=0, microsecond=0)


def _register(client: TestClient, offering_id: int) -> tuple[int, str]:
    educator = new_educator(client)
    answer = client.post(
        "/registrations", json={"offering_id": offering_id}, headers=educator["headers"]
    )
    return answer.status_code, answer.text


def test_without_a_deadline_registration_closes_when_the_first_meeting_starts(
    client: TestClient,
) -> None:
    started = publish(
        offering_state(starts=[_local(-timedelta(hours=1)), _local(timedelta(days=7))])
    )
    assert started.registration_closes_at_utc is None
    status, text = _register(client, started.id)
    assert status == 409 and "closed" in text
    upcoming = publish(offering_state(starts=[_local(timedelta(days=1))]))
    assert _register(client, upcoming.id)[0] == 201


def test_moving_the_first_meeting_moves_the_implied_deadline(client: TestClient) -> None:
    state = publish(offering_state(starts=[_local(timedelta(days=3))]))
    assert _register(client, state.id)[0] == 201
    update_offering(state, ["meetings"], meetings=moved_meetings(state, days=-4))
    status, text = _register(client, state.id)
    assert status == 409 and "closed" in text
