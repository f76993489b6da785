"""Keeping recipients' addresses out of logs, whichever library writes the line.

Celery logs task arguments (an event carries names and addresses) and access logs carry query
strings (`/deliveries?recipient=...`), so every record is scrubbed before it is written.
"""

import logging
import re
from typing import Any

from shared.logs import mask_email

_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_STANDARD = set(vars(logging.makeLogRecord({})))


def scrub(text: str) -> str:
    """The text with every mail address masked ("d***@example.org")."""
    if "@" not in text and "%40" not in text:  # the common case, without a regex scan
        return text
    return _ADDRESS.sub(lambda found: mask_email(found.group(0).replace("%40", "@")), text)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrubbed(item) for item in value)
    return value


class MaskAddresses(logging.Filter):
    """A logging filter masking mail addresses in the message and in every `extra` field."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        record.msg = scrub(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, _scrubbed(value))
        return True


def mask_addresses_in_logs() -> None:
    """Install the filter on the root handlers and on uvicorn's own loggers."""
    mask = MaskAddresses()
    for handler in logging.getLogger().handlers:
        handler.addFilter(mask)
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(mask)
