"""Mail addresses never reach a log line in clear, whoever logs them."""

import json
import logging

from services.notifier.privacy import MaskAddresses, scrub
from shared.logs import JsonFormatter


def test_scrub_masks_plain_and_url_encoded_addresses() -> None:
    text = "to dana.teacher@schools.example.org and GET /deliveries?recipient=sam%40x.example.org"
    assert (
        scrub(text)
        == "to d***@schools.example.org and GET /deliveries?recipient=s***@x.example.org"
    )
    assert (
        scrub("no address here, only @handles and 3@4") == "no address here, only @handles and 3@4"
    )


def test_filter_masks_message_arguments_and_extra_fields() -> None:
    record = logging.LogRecord(
        "celery", logging.INFO, __file__, 1, "Task %s received", ("x",), None
    )
    record.data = {"args": "[{'email': 'zoe@example.org', 'name': 'Zoë'}]", "id": 7}
    record.__dict__["recipients"] = ["a@b.example.org"]
    assert MaskAddresses().filter(record)
    line = json.loads(JsonFormatter("notifier").format(record))
    assert "zoe@example.org" not in json.dumps(line)
    assert line["data"]["args"] == "[{'email': 'z***@example.org', 'name': 'Zoë'}]"
    assert line["recipients"] == ["a***@b.example.org"]
    assert line["msg"] == "Task x received"
