"""The accounts service's HTTP app: sign-in by mailed link, sessions, access tokens, people."""

from fastapi import FastAPI
from sqlmodel import Session

from services.accounts import keys
from services.accounts.api_keys.api import router as api_keys
from services.accounts.database import runtime
from services.accounts.deps import OperatorOnly
from services.accounts.erasure.api import router as erasure
from services.accounts.members.api import router as members
from services.accounts.people.api import router as people
from services.accounts.sign_in.api import router as sign_in
from services.accounts.tokens.api import router as tokens
from shared.audit_api import audit_router
from shared.logs import configure_logging
from shared.settings import get_settings
from shared.web import create_service_app

DESCRIPTION = """
The accounts service proves who people are and hands out the credentials every service accepts.

* **Sign-in** is by a one-time link mailed to the address (`POST /sign-in`); the answer is the same
  for every address. The link opens a portal page whose button redeems the code
  (`POST /sign-in/redeem`): the code is single use and expires. A person exists only once their
  address has been proven this way.
* A sign-in gives a **session token** (long-lived, opaque) and an **access token**: an EdDSA JWT of
  at most 15 minutes that every service verifies with `GET /.well-known/jwks.json`, no call needed.
  `POST /token` exchanges the session token, an API key or the bootstrap operator token for a
  new one; its `roles` are read at that moment.
* **Roles**: every proven person is an educator; operators, facilitators and affiliate members
  (admin, editor, viewer) are added by those who may (`POST /operators`, `POST /people`,
  `POST /affiliates/{id}/members`) and mailed an invitation carrying a sign-in link.
* **API keys** (`POST /api-keys`) are opaque, shown once, and act as their owner or, for an
  affiliate key, as a member of that affiliate.

Authenticate with `Authorization: Bearer <access token>` (`POST /token`: the session token or key).
"""


def _start_logging() -> None:
    settings = get_settings()
    configure_logging("accounts", level=settings.cohort_log_level, as_json=settings.cohort_log_json)


def _ensure_signing_key() -> None:
    with Session(runtime.engine()) as session:
        keys.ensure_signing_key(session=session)


def create_app() -> FastAPI:
    """Build the accounts app."""
    return create_service_app(
        service="accounts",
        title="Cohort Accounts",
        description=DESCRIPTION,
        engine=runtime.engine,
        routers=[
            sign_in,
            tokens,
            people,
            members,
            api_keys,
            erasure,
            audit_router(runtime, OperatorOnly),
        ],
        on_startup=[_start_logging, runtime.migrate, _ensure_signing_key, runtime.start_relay],
        on_shutdown=[runtime.stop_relay],
        on_scrape=[runtime.observe_metrics],
    )


app = create_app()
