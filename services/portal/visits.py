"""One request from a browser: its language, its session, and the person's access token."""

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from services.portal import accounts, sessions
from services.portal.connections import Connections
from services.portal.sessions import BrowserSession


@dataclass
class Visit:
    """What a page needs to know about the browser asking for it."""

    request: Request
    connections: Connections
    language: str
    session: BrowserSession | None = None
    chosen_language: str | None = None
    dropped: bool = False

    @property
    def client_ip(self) -> str | None:
        """The browser's address (uvicorn reads it from the proxy's X-Forwarded-For)."""
        return self.request.client.host if self.request.client else None

    async def ensure_session(self) -> BrowserSession:
        """This browser's session, started now if it has none (a form needs its CSRF token)."""
        if self.session is None:
            self.session = await sessions.new_session(self.connections.redis)
        return self.session

    async def save(self) -> None:
        """Store the session as it now is."""
        if self.session is not None:
            await sessions.save_session(self.connections.redis, self.session)

    async def start_over(self, **values: object) -> BrowserSession:
        """Replace the session with a new one (new id and CSRF token) holding `values`."""
        if self.session is not None:
            await sessions.drop_session(self.connections.redis, self.session)
        self.session = await sessions.new_session(self.connections.redis, **values)
        return self.session

    async def end_session(self) -> None:
        """Forget this browser's session; its cookie is cleared with the response."""
        if self.session is not None:
            await sessions.drop_session(self.connections.redis, self.session)
        self.session, self.dropped = None, True

    async def access_token(self) -> str | None:
        """The person's access token, fresh from accounts when the stored one is about to expire;
        None when nobody is signed in or accounts has ended the session."""
        session = self.session
        if session is None or session.session_token is None:
            return None
        if not session.needs_fresh_token():
            return session.access_token
        minted = await accounts.mint_token(
            self.connections.accounts, session_token=session.session_token
        )
        if minted is None:
            session.signed_out()
        else:
            session.access_token, session.expires_at = minted.access_token, minted.expires_at
        await self.save()
        return session.access_token

    async def profile(self) -> dict[str, Any] | None:
        """The signed-in person as accounts knows them; None when nobody is (or no longer is)."""
        token = await self.access_token()
        if token is None:
            return None
        me = await accounts.read_me(self.connections.accounts, access_token=token)
        # Accounts refused the token (revoked, erased): this browser is signed out from now on.
        if me is None and self.session is not None:
            self.session.signed_out()
            await self.save()
        return me
