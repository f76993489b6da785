"""Who may use the affiliate console: a signed-in member of the affiliate in the address, with
the role the page needs (viewers read, editors and admins change offerings)."""

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from services.portal import dates, forms, pages
from services.portal.deps import VisitDep
from services.portal.visits import Visit
from shared.validation import storable_id


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


CHANGERS = ("admin", "editor")
ROLE_NAMES = {"admin": _("Administrator"), "editor": _("Editor"), "viewer": _("Viewer")}
# The offering form has a few fields per meeting row, far more than any other form.
MAX_OFFERING_FIELDS = 200


@dataclass(frozen=True)
class Membership:
    """One affiliate the person is a member of, and their role there."""

    affiliate_id: int
    role: str

    @property
    def can_change(self) -> bool:
        """Tell whether the member may create, change, publish and cancel offerings."""
        return self.role in CHANGERS

    @property
    def role_name(self) -> str:
        """The role in the members' words (a msgid)."""
        return ROLE_NAMES.get(self.role, ROLE_NAMES["viewer"])


@dataclass(frozen=True)
class Console:
    """A console page's visit: the member's access token and their membership."""

    visit: Visit
    token: str
    member: Membership

    @property
    def affiliate_id(self) -> int:
        """The affiliate the page is about."""
        return self.member.affiliate_id

    @property
    def home(self) -> str:
        """The affiliate's dashboard."""
        return f"/affiliate/{self.affiliate_id}"


def memberships(me: dict[str, Any]) -> list[Membership]:
    """The affiliates a person (accounts `GET /me`) is a member of."""
    return [
        Membership(int(role["affiliate_id"]), str(role.get("member_role") or "viewer"))
        for role in me.get("roles", [])
        if role.get("role") == "affiliate" and role.get("affiliate_id") is not None
    ]


def to_sign_in(visit: Visit) -> Response:
    """Off to sign in, and back to this page afterwards."""
    url = visit.request.url
    here = url.path + (f"?{url.query}" if url.query else "")
    return pages.redirect(visit, "/sign-in?next=" + quote(here, safe=""))


async def enter(visit: Visit, affiliate_id: int, *, changing: bool = False) -> Console | Response:
    """The console for a member of `affiliate_id` (a 404 page for anyone else, a 403 page for a
    viewer where the page changes something); signed out, a redirect to sign in."""
    me = await visit.profile()
    token = await visit.access_token()
    if me is None or token is None:
        return to_sign_in(visit)
    found = [m for m in memberships(me) if m.affiliate_id == affiliate_id]
    if not storable_id(affiliate_id) or not found:
        raise HTTPException(404)
    if changing and not found[0].can_change:
        raise HTTPException(403)
    return Console(visit=visit, token=token, member=found[0])


def render(console: Console, template: str, *, status: int = 200, **context: Any) -> Response:
    """A console page, with the console's own navigation and meetings read in a zone."""
    language = console.visit.language

    def when(meeting: dict[str, Any], zone_name: str) -> dates.Span:
        zone = dates.zone_of(zone_name) or dates.zone_of("UTC")
        assert zone is not None
        return dates.span_in(meeting["starts_at"], meeting["ends_at"], zone, language)

    return pages.render(
        console.visit,
        template,
        status=status,
        console=console,
        member=console.member,
        when=when,
        **context,
    )


async def offering_form(request: Request, visit: VisitDep) -> dict[str, str]:
    """The posted offering form once its CSRF token matched the session's."""
    form = await forms.read_form(request, max_fields=MAX_OFFERING_FIELDS)
    forms.check_csrf(form, visit.session)
    return form


OfferingFormDep = Annotated[dict[str, str], Depends(offering_form)]
