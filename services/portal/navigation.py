"""Where the portal may send a person back to: its own pages only."""

from typing import Any
from urllib.parse import urlsplit

MAX_NEXT = 2000


def safe_next(target: str | None) -> str | None:
    """`target` when it is a relative path on this site, else None (no other host, no scheme)."""
    if not target or len(target) > MAX_NEXT or not target.startswith("/"):
        return None
    # "//host" and "/\host" are read by browsers as another host.
    if target.startswith(("//", "/\\")) or "\\" in target:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


# The consoles the header links to, each shown to people holding its role: (role, path, label).
CONSOLES = [
    ("affiliate", "/affiliate", _("Affiliate console")),
    ("facilitator", "/facilitator", _("My facilitation")),
    ("operator", "/operator", _("Operations")),
]


def console_links(person: dict[str, Any] | None) -> list[dict[str, str]]:
    """The header's links to the consoles a signed-in person's roles open."""
    roles = {str(role.get("role")) for role in (person or {}).get("roles") or []}
    return [{"href": path, "label": label} for role, path, label in CONSOLES if role in roles]
