"""The accounts service's public keys, fetched once and again only when a token names a new kid."""

import json
import logging
import threading
import time
from collections.abc import Callable

import httpx

from shared.access_tokens import Jwks
from shared.settings import get_settings

log = logging.getLogger(__name__)
JWKS_PATH = "/.well-known/jwks.json"
# A token naming an unknown kid may be forged: never ask accounts more often than this for it.
REFETCH_GAP_SECONDS = 5.0
REFRESH_SECONDS = 300.0
FETCH_TIMEOUT_SECONDS = 3.0


def fetch_from_accounts() -> Jwks:
    """The JWKS the accounts service publishes (plus the test keys when COHORT_ENV=test)."""
    settings = get_settings()
    url = settings.cohort_accounts_url.rstrip("/") + JWKS_PATH
    keys: list[object] = []
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT_SECONDS)
        response.raise_for_status()
        keys.extend(response.json().get("keys", []))
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        log.warning("jwks unavailable", extra={"url": url, "error": type(exc).__name__})
    return {"keys": keys + test_keys()}


def test_keys() -> list[object]:
    settings = get_settings()
    if settings.cohort_env != "test" or not settings.cohort_test_jwks:
        return []
    found = json.loads(settings.cohort_test_jwks).get("keys", [])
    return list(found) if isinstance(found, list) else []


class Keyring:
    """A cached JWKS: refreshed every few minutes, and at once (throttled) for an unseen kid."""

    def __init__(self, fetch: Callable[[], Jwks] = fetch_from_accounts) -> None:
        self._fetch = fetch
        self._jwks: Jwks = {"keys": []}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def current(self) -> Jwks:
        """The keys as last fetched (refreshed when older than REFRESH_SECONDS)."""
        if self.stale():
            self.refresh()
        return self._jwks

    def stale(self) -> bool:
        """Tell whether the keys are older than REFRESH_SECONDS (or were never fetched)."""
        return time.monotonic() - self._fetched_at > REFRESH_SECONDS

    def knows(self, kid: object) -> bool:
        """Tell whether the cached keys include `kid` (no fetch)."""
        return any(entry.get("kid") == kid for entry in self._jwks.get("keys", []))

    def needs_fetch(self, kid: object) -> bool:
        """Tell whether verifying a token with this kid needs a fetch first."""
        unseen = not self.knows(kid) and time.monotonic() - self._fetched_at > REFETCH_GAP_SECONDS
        return self.stale() or unseen

    def refresh(self) -> None:
        """Fetch the keys now (one fetch at a time)."""
        with self._lock:
            fetched = self._fetch()
            self._fetched_at = time.monotonic()
            # Keep what we had when accounts is unreachable: live tokens stay verifiable.
            if fetched.get("keys") or not self._jwks.get("keys"):
                self._jwks = fetched


keyring = Keyring()
