"""MIME assembly of outgoing mail: multipart/alternative of text, HTML and an iTIP calendar part.

Assembled by hand with the standard library's encoders (RFC 2047 headers, quoted-printable and
base64 bodies) because `email.message.EmailMessage` costs milliseconds per message. Every header
value passes through `safe_header_value`, and display names and subjects that are not plain
ASCII, or that look like RFC 2047 encoded words, are sent encoded so a receiving client shows the
literal text instead of decoding something a user typed.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import lru_cache

_LINE_BREAKS = {c: " " for c in (*range(32), *range(127, 160), 0x2028, 0x2029)}
_ADDRESS_FORBIDDEN = re.compile(r'[\s<>()\[\],;:"\\]')
_HEADER_NAME = re.compile(r"[!-9;-~]+")
_DOMAIN = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
_TOKEN = re.compile(r"[A-Z][A-Z-]*")
_RESERVED = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version"}
_MAX_LINE = 998  # RFC 5322 line limit without CRLF
_FOLD_AT = 78  # RFC 5322: lines SHOULD stop here
_WORD_MAX = 75  # RFC 2047: the longest encoded word
_WORD_START, _WORD_END = "=?utf-8?b?", "?="
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_MEDIA = re.compile(r"[a-z]+/[a-z0-9.+-]+")


@dataclass(frozen=True)
class Attachment:
    """A file a message carries after its text (e.g. a certificate's PDF)."""

    filename: str
    media_type: str
    data: bytes


def safe_header_value(value: str) -> str:
    """The value on one line: CR, LF and other control characters become spaces, runs of
    whitespace shrink to one, ends are trimmed."""
    return " ".join(value.translate(_LINE_BREAKS).split())


def mail_domain(address: str) -> str:
    """The domain of a (possibly named) address, for UIDs and Message-IDs."""
    _, email = parseaddr(address)
    _, at, domain = email.rpartition("@")
    return domain if at and domain else "cohort.localhost"


def compose_message(
    *,
    sender: str,
    to_name: str,
    to_email: str,
    subject: str,
    text_body: str,
    html_body: str,
    calendar_text: str | None,
    method: str | None,
    message_id_domain: str,
    headers: Mapping[str, str] = {},
    message_id: str | None = None,
    date: datetime | None = None,
    attachments: Sequence[Attachment] = (),
) -> bytes:
    """The message as CRLF bytes ready for SMTP; a fixed `message_id` survives retries; with
    `attachments`, the text and HTML go first in a multipart/mixed, the files after."""
    boundary = f"=_cohort_{secrets.token_hex(12)}"  # "=_" never appears in QP or base64 output
    lines = [
        f"Date: {format_datetime((date or datetime.now(UTC)).astimezone(UTC))}",
        f"From: {_sender_mailbox(sender)}",
        f"To: {_mailbox(to_name, to_email, field='to_email')}",
        f"Subject: {_unstructured('Subject', subject, user_text=True)}",
        f"Message-ID: {_message_id(message_id, message_id_domain)}",
        "MIME-Version: 1.0",
    ]
    lines.extend(_extra_headers(headers))
    parts = [
        _text_part("text/plain", text_body),
        _text_part("text/html", html_body),
    ]
    if calendar_text is not None:
        parts.append(_calendar_part(calendar_text, method))
    body = _multipart(boundary, parts)
    if attachments:
        inner = f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        boundary = f"=_cohort_{secrets.token_hex(12)}"
        files = [_attachment_part(attachment) for attachment in attachments]
        body = _multipart(boundary, [inner.encode("ascii") + body.lstrip(b"\r\n"), *files])
        lines.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
    else:
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = "\r\n".join(lines).encode("ascii")
    return head + b"\r\n\r\nThis is a multi-part message in MIME format." + body


def _extra_headers(headers: Mapping[str, str]) -> list[str]:
    lines = []
    for name, value in headers.items():
        if (
            not _HEADER_NAME.fullmatch(name)
            or name.lower() in _RESERVED
            or name.lower().startswith("content-")
        ):
            raise ValueError(f"headers: {name!r} cannot be set here")
        lines.append(f"{name}: {_unstructured(name, value, user_text=False)}")
    return lines


def _multipart(boundary: str, parts: Sequence[bytes]) -> bytes:
    delimiter = f"\r\n--{boundary}\r\n".encode("ascii")
    closing = f"\r\n--{boundary}--\r\n".encode("ascii")
    return delimiter + delimiter.join(parts) + closing


def _attachment_part(attachment: Attachment) -> bytes:
    if not _FILENAME.fullmatch(attachment.filename) or not _MEDIA.fullmatch(attachment.media_type):
        raise ValueError(f"attachment: unusable name or type {attachment.filename!r}")
    payload = base64.encodebytes(attachment.data).rstrip().replace(b"\n", b"\r\n")
    head = (
        f'Content-Type: {attachment.media_type}; name="{attachment.filename}"\r\n'
        f'Content-Disposition: attachment; filename="{attachment.filename}"\r\n'
        "Content-Transfer-Encoding: base64"
    )
    return head.encode("ascii") + b"\r\n\r\n" + payload


@lru_cache(maxsize=64)
def _sender_mailbox(sender: str) -> str:
    """The From mailbox; every message of a deployment has the same sender, so parse it once."""
    name, email = parseaddr(safe_header_value(sender))
    return _mailbox(name, email, field="sender")


def _mailbox(name: str, email: str, *, field: str) -> str:
    address = _address(email, field=field)
    display = safe_header_value(name)
    if not display:
        return address
    if display.isascii() and "=?" not in display:
        return formataddr((display, address))
    return f"{_encoded('To', display)} <{address}>"


def reply_address(email: str) -> str | None:
    """A Reply-To address as sent, or None when it is not usable (the mail goes without one)."""
    try:
        return _address(email, field="reply_to")
    except ValueError:
        return None


def _address(email: str, *, field: str) -> str:
    address = email.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or "@" in local or _ADDRESS_FORBIDDEN.search(address):
        raise ValueError(f"{field}: not a usable mail address: {address!r}")
    if not local.isascii():
        raise ValueError(f"{field}: non-ASCII local parts are not supported")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValueError(f"{field}: bad domain {domain!r}") from error
    if not _DOMAIN.fullmatch(ascii_domain):
        raise ValueError(f"{field}: not a usable mail address: {address!r}")
    return f"{local}@{ascii_domain}"


def _unstructured(name: str, value: str, *, user_text: bool) -> str:
    text = safe_header_value(value)
    if text.isascii() and not (user_text and "=?" in text):
        folded = str(Header(text, "us-ascii", header_name=name).encode(linesep="\r\n"))
        if all(len(line) < _MAX_LINE - len(name) for line in folded.split("\r\n")):
            return folded  # else one word too long to fold: encoded words can be split anywhere
    return _encoded(name, text)


def _encoded(name: str, text: str) -> str:
    """RFC 2047 encoded words (UTF-8, base64) split between characters, folded one per line so
    no line passes 78 characters (the stdlib's Header does the same in quadratic time)."""
    words: list[str] = []
    room = min(_WORD_MAX, _FOLD_AT - len(name) - 2)
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if chunk and _word_length(len(chunk) + len(data)) > room:
            words.append(_word(chunk))
            chunk, room = b"", min(_WORD_MAX, _FOLD_AT - 1)
        chunk += data
    words.append(_word(chunk))
    return "\r\n ".join(words)


def _word_length(size: int) -> int:
    return len(_WORD_START) + 4 * ((size + 2) // 3) + len(_WORD_END)


def _word(data: bytes) -> str:
    return f"{_WORD_START}{base64.b64encode(data).decode('ascii')}{_WORD_END}"


def _message_id(message_id: str | None, domain: str) -> str:
    if message_id:
        candidate = safe_header_value(message_id)
        if not re.fullmatch(r"<[!-;=?-~]+@[A-Za-z0-9.-]+>", candidate):
            raise ValueError(f"message_id: not a Message-ID: {candidate!r}")
        return candidate
    clean = domain.strip()
    if not _DOMAIN.fullmatch(clean):
        raise ValueError(f"message_id_domain: not a domain: {domain!r}")
    return make_msgid(domain=clean)


def _text_part(content_type: str, body: str) -> bytes:
    data = body.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if data.isascii() and all(len(line) <= _MAX_LINE for line in data.split(b"\n")):
        encoding, payload = "7bit", data
    else:
        encoding, payload = "quoted-printable", binascii.b2a_qp(data, istext=True)
    head = f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}'
    return head.encode("ascii") + b"\r\n\r\n" + payload.replace(b"\n", b"\r\n")


def _calendar_part(calendar_text: str, method: str | None) -> bytes:
    found = re.search(r"^METHOD:([A-Za-z-]+)\r?$", calendar_text, re.MULTILINE)
    inner = found.group(1).upper() if found else None
    wanted = (method or inner or "").upper()
    if not _TOKEN.fullmatch(wanted) or wanted != inner:
        raise ValueError(f"method: {method!r} does not match the calendar's METHOD {inner!r}")
    data = calendar_text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    if data.isascii():
        encoding, payload = "7bit", data
    else:
        encoding, payload = "base64", base64.encodebytes(data).rstrip().replace(b"\n", b"\r\n")
    head = (
        f'Content-Type: text/calendar; method={wanted}; charset="UTF-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}"
    )
    return head.encode("ascii") + b"\r\n\r\n" + payload
