"""The dev mail sink's folder read back: every stored message, and the sign-in links mailed."""

import re
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

LINK = re.compile(r"https?://\S+/sign-in/confirm\?code=[^\s\"'<>]+")
# The mails that carry a sign-in link: asked for, or sent to someone given a role.
LINK_KINDS = ("sign_in", "invitation")


def parse(path: Path) -> EmailMessage:
    """One stored message."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


def read_mailbox(folder: Path) -> list[EmailMessage]:
    """Every message the sink stored."""
    return [parse(path) for path in sorted(folder.glob("*.eml"))]


def sign_in_link(message: EmailMessage) -> str | None:
    """The sign-in link a sign-in or invitation mail carries."""
    if message["X-Cohort-Kind"] not in LINK_KINDS:
        return None
    body = message.get_body(("plain",))
    found = LINK.search(str(body.get_content())) if body is not None else None
    return found.group(0) if found else None


def code_of(link: str) -> str:
    """The one-time code of a sign-in link."""
    return parse_qs(urlsplit(link).query)["code"][0]


class Mailbox:
    """The sign-in links in a sink folder by recipient, reading each new file once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: set[str] = set()
        self._links: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            for path in sorted(self.folder.glob("*.eml")):
                if path.name in self._seen:
                    continue
                self._seen.add(path.name)
                message = parse(path)
                link = sign_in_link(message)
                if link is None:
                    continue
                for _, address in getaddresses([str(message["To"] or "")]):
                    self._links.setdefault(address.lower(), []).append(link)

    def links(self, email: str) -> list[str]:
        """Every sign-in link mailed to the address so far, oldest first."""
        self._refresh()
        with self._lock:
            return list(self._links.get(email.lower(), []))

    def wait_link(self, email: str, after: int = 0, timeout: float = 60.0) -> str | None:
        """The first link mailed to the address beyond the `after` already seen, or None."""
        deadline = time.monotonic() + timeout
        while True:
            links = self.links(email)
            if len(links) > after:
                return links[after]
            if time.monotonic() > deadline:
                return None
            time.sleep(0.3)
