"""Mail addresses and tokens never reach a log line in clear, whoever logs them."""

import json
import logging

from shared.logs import JsonFormatter, RedactFilter, redact


def test_scrub_masks_plain_and_url_encoded_addresses() -> None:
    text = "to dana.teacher@schools.example.org and GET /deliveries?recipient=sam%40x.example.org"
    assert (
        redact(text)
        == "to d***@schools.example.org and GET /deliveries?recipient=s***@x.example.org"
    )
    assert (
        redact("no address here, only @handles and 3@4") == "no address here, only @handles and 3@4"
    )


def test_filter_masks_message_arguments_and_extra_fields() -> None:
    record = logging.LogRecord(
        "celery", logging.INFO, __file__, 1, "Task %s received", ("x",), None
    )
    record.data = {"args": "[{'email': 'zoe@example.org', 'name': 'Zoë'}]", "id": 7}
    record.__dict__["recipients"] = ["a@b.example.org"]
    assert RedactFilter().filter(record)
    line = json.loads(JsonFormatter("notifier").format(record))
    assert "zoe@example.org" not in json.dumps(line)
    assert line["data"]["args"] == "[{'email': 'z***@example.org', 'name': 'Zoë'}]"
    assert line["recipients"] == ["a***@b.example.org"]
    assert line["msg"] == "Task x received"


def test_feed_secrets_in_paths_are_masked() -> None:
    line = '127.0.0.1 - "GET /calendars/Zx8pQ_r2sT0uV4wX6yA.ics HTTP/1.1" 200'
    assert redact(line) == '127.0.0.1 - "GET /calendars/***.ics HTTP/1.1" 200'


def test_access_tokens_and_long_lived_credentials_are_masked() -> None:
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    text = f"Bearer {jwt} then cs1_abcdefghijklmnopqrstu and cak_ABCDEFGHIJKLMNOPQRST"
    assert redact(text) == "Bearer eyJ*** then cs1_*** and cak_***"


def test_access_log_arguments_stay_a_tuple() -> None:
    path = "/deliveries?recipient=dana%40schools.example.org"
    args = ("127.0.0.1:5000", "GET", path, "1.1", 200)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None
    )
    assert RedactFilter().filter(record)
    assert isinstance(record.args, tuple) and record.args[4] == 200
    assert (
        record.getMessage()
        == '127.0.0.1:5000 - "GET /deliveries?recipient=d***@schools.example.org HTTP/1.1" 200'
    )
