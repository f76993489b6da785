"""Access tokens for the dev tools, minted at accounts' POST /token and re-minted before expiry."""

import threading
from datetime import UTC, datetime, timedelta

import httpx

# Re-mint this long before a token expires, so a request never carries one about to lapse.
REMINT_MARGIN = timedelta(seconds=60)


class CredentialError(RuntimeError):
    """Accounts refused to mint an access token."""


def mint(http: httpx.Client, accounts: str, credential: str) -> tuple[str, datetime]:
    """An access token for a credential (bootstrap token, API key, session) and its expiry."""
    response = http.post(f"{accounts}/token", headers={"Authorization": f"Bearer {credential}"})
    if response.status_code != 200:
        raise CredentialError(f"POST {accounts}/token → {response.status_code}: {response.text}")
    body = response.json()
    return str(body["access_token"]), datetime.fromisoformat(body["expires_at"])


class AccessTokens:
    """One access token per credential, kept until shortly before it expires."""

    def __init__(self, http: httpx.Client, accounts: str) -> None:
        self.http = http
        self.accounts = accounts
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def token(self, credential: str) -> str:
        """A valid access token for the credential, minted anew when the kept one runs out."""
        with self._lock:
            kept = self._tokens.get(credential)
        if kept is not None and kept[1] - REMINT_MARGIN > datetime.now(UTC):
            return kept[0]
        token, expires_at = mint(self.http, self.accounts, credential)
        self.remember(credential, token, expires_at)
        return token

    def remember(self, credential: str, token: str, expires_at: datetime) -> None:
        """Keep a token minted elsewhere (e.g. by redeeming a sign-in link) for the credential."""
        with self._lock:
            self._tokens[credential] = (token, expires_at)
