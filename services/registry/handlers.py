"""Which function applies each event the registry consumes: only `access.revoked` from accounts,
kept in the revocation list its API checks every token against (shared/revocations.py)."""

from services.registry.database import revocations
from shared.consumer import Handler
from shared.events import AccessRevoked

HANDLERS: dict[str, Handler] = {
    AccessRevoked.TYPE: revocations.apply,
}
