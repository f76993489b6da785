"""The accounts service's database, outbox and relay, and how long spent credentials are kept."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, or_
from sqlalchemy.engine import Engine
from sqlmodel import col

from services.accounts.models import AccountSession, AccountsTable, SignInCode
from shared.runtime import ServiceRuntime

# Kept a day past use or expiry, so an operator can still see a sign-in that just went wrong.
KEEP_CODES = timedelta(days=1)
# Kept a week past expiry or revocation, longer than any access token minted from them lives.
KEEP_SESSIONS = timedelta(days=7)


def forget_spent_credentials(engine: Engine, now: datetime | None = None) -> int:
    """Delete codes used or expired over a day ago and sessions ended over a week ago; how many."""
    now = now or datetime.now(UTC)
    codes_before, sessions_before = now - KEEP_CODES, now - KEEP_SESSIONS
    with engine.begin() as connection:
        codes = connection.execute(
            delete(SignInCode).where(
                or_(
                    col(SignInCode.expires_at) < codes_before,
                    col(SignInCode.used_at) < codes_before,
                )
            )
        )
        sessions = connection.execute(
            delete(AccountSession).where(
                or_(
                    col(AccountSession.expires_at) < sessions_before,
                    col(AccountSession.revoked_at) < sessions_before,
                )
            )
        )
    return int(codes.rowcount or 0) + int(sessions.rowcount or 0)


runtime = ServiceRuntime(
    service="accounts",
    metadata=AccountsTable.metadata,
    database_setting="accounts_database_url",
    migrations=Path(__file__).parent / "migrations",
    retention=[forget_spent_credentials],
)
