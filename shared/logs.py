"""Structured (JSON) logs with a correlation id carried from request to mail."""

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ADDRESS = re.compile(r"[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Access tokens are JWTs (a JSON header, so "eyJ"); session and API keys carry their prefix.
_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_KEY = re.compile(r"\b(cs1|cak)_[A-Za-z0-9_-]{16,}")
# A feed URL carries the recipient's feed secret (access logs print paths).
_FEED_TOKEN = re.compile(r"(/calendars/)[^/\s\"?%]+(\.ics)")


def redact(text: str) -> str:
    """The text with every mail address ("d***@example.org") and bearer token masked."""
    if "@" in text or "%40" in text:
        text = _ADDRESS.sub(lambda found: mask_email(found.group(0).replace("%40", "@")), text)
    if "/calendars/" in text:
        text = _FEED_TOKEN.sub(r"\1***\2", text)
    if "eyJ" in text:
        text = _TOKEN.sub("eyJ***", text)
    if "cs1_" in text or "cak_" in text:
        text = _KEY.sub(r"\1_***", text)
    return text


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redacted(item) for item in value)
    return value


class RedactFilter(logging.Filter):
    """Masks addresses and tokens in a record's message, arguments and `extra` fields.

    Celery logs task arguments (events carry names and addresses) and access logs print paths
    and query strings, so every record is scrubbed before any handler writes it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        # Arguments are scrubbed one by one: formatters such as uvicorn's unpack them.
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple | dict):
            record.args = _redacted(record.args)
        for key, value in list(vars(record).items()):
            if key not in _RESERVED:
                setattr(record, key, _redacted(value))
        return True


class JsonFormatter(logging.Formatter):
    """Render each record as one JSON object per line."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """Format a record as JSON, with any `extra=` fields and the correlation id."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        cid = correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


def configure_logging(service: str, *, level: str = "INFO", as_json: bool = True) -> None:
    """Send this process's logs to stderr, as JSON unless told otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn and celery keep handlers of their own; route them through ours (JSON, redacted).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


def mask_email(address: str) -> str:
    """Hide most of an email address for logs ("a***@example.org")."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
