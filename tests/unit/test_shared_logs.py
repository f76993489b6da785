"""Logs are JSON, carry the correlation id, and never show an email address or a token."""

import json
import logging

from shared.logs import JsonFormatter, RedactFilter, correlation_id, redact
from tests.support.tokens import educator_token, next_person_id


def _render(message: str, *args: object) -> dict[str, object]:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)
    RedactFilter().filter(record)
    return json.loads(JsonFormatter("svc").format(record))  # type: ignore[no-any-return,unused-ignore]


def test_emails_and_tokens_are_redacted() -> None:
    token = educator_token(next_person_id(), "someone@schools.example.org")
    line = _render("GET /calendars/%s.ics for %s", token, "ana.diaz@schools.example.org")["msg"]
    assert token not in str(line)
    assert "ana.diaz@" not in str(line)
    assert "a***@schools.example.org" in str(line)


def test_extra_fields_are_redacted_too() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "mail sent", None, None)
    record.recipient = "zoe@example.org"
    assert "zoe@" not in JsonFormatter("svc").format(record)


def test_correlation_id_is_carried() -> None:
    token = correlation_id.set("req-123")
    try:
        entry = _render("hello")
    finally:
        correlation_id.reset(token)
    assert entry["correlation_id"] == "req-123"
    assert entry["service"] == "svc"


def test_redact_leaves_plain_text_alone() -> None:
    assert redact("published offering 12 at 09:00") == "published offering 12 at 09:00"
