"""Event contracts: envelopes round-trip, unknown fields are ignored, every type has subscribers."""

import pytest

from shared.events import (
    EVENT_TYPES,
    SUBSCRIPTIONS,
    Envelope,
    OfferingPublished,
    UnknownEventType,
    unwrap,
    wrap,
)
from tests.support.factories import offering


def test_envelope_round_trips_through_json() -> None:
    envelope = wrap(
        OfferingPublished(offering=offering(1)), producer="registry", correlation_id="req-1"
    )
    again = Envelope.model_validate_json(envelope.model_dump_json())
    assert again == envelope
    event = unwrap(again)
    assert isinstance(event, OfferingPublished)
    assert event.offering.meetings[0].starts_at_utc.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_consumers_ignore_fields_they_do_not_know() -> None:
    envelope = wrap(OfferingPublished(offering=offering(1)), producer="registry")
    envelope.data["added_later"] = {"x": 1}
    envelope.data["offering"]["new_field"] = "ignored"
    payload = envelope.model_dump(mode="json") | {"envelope_extra": True}
    assert isinstance(unwrap(Envelope.model_validate(payload)), OfferingPublished)


def test_offering_events_sent_before_versions_still_validate_with_version_unknown() -> None:
    envelope = wrap(OfferingPublished(offering=offering(1, version=4)), producer="registry")
    assert envelope.schema_version == 2 and envelope.data["offering"]["version"] == 4
    del envelope.data["offering"]["version"]
    old = Envelope.model_validate(envelope.model_dump(mode="json") | {"schema_version": 1})
    event = unwrap(old)
    assert isinstance(event, OfferingPublished) and event.offering.version == 0


def test_unknown_type_is_refused() -> None:
    with pytest.raises(UnknownEventType):
        unwrap(Envelope(type="nothing.happened", producer="x", data={}))


def test_every_event_type_has_a_subscriber_and_past_tense_name() -> None:
    assert set(EVENT_TYPES) == set(SUBSCRIPTIONS)
    for name in EVENT_TYPES:
        assert name.split(".")[1].endswith(("ed", "listed")), name
