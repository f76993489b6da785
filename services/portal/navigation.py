"""Where the portal may send a person back to: its own pages only."""

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
