"""Who did what: every service's audit records, newest first, in one list (or one service's),
paged back by time."""

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.portal import dates
from services.portal.deps import VisitDep
from services.portal.operator import desk as desks
from services.portal.operator import work
from services.portal.operator.desk import Desk

router = APIRouter(tags=["operator"])
SERVICES = ("accounts", "registry", "scheduler", "notifier")


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


SERVICE_NAMES = {
    "accounts": _("People and sign-in (accounts)"),
    "registry": _("Programs and offerings (registry)"),
    "scheduler": _("Registrations and staffing (scheduler)"),
    "notifier": _("Mail and calendars (notifier)"),
}
ACTION_NAMES = {
    "operator.add": _("Made someone an operator"),
    "member.add": _("Gave someone a part in an affiliate"),
    "member.remove": _("Took a membership away"),
    "person.add": _("Added a person"),
    "api_key.add": _("Made an API key"),
    "api_key.revoke": _("Revoked an API key"),
    "person.erase": _("Erased a person"),
    "program.add": _("Added a program"),
    "program.change": _("Changed a program"),
    "affiliate.add": _("Registered an affiliate"),
    "affiliate.change": _("Changed an affiliate"),
    "dead_event.redrive": _("Sent a stuck event again"),
    "educator.add": _("Added an educator"),
    "facilitator.add": _("Added a facilitator"),
    "facilitator.certify": _("Changed a facilitator's certifications"),
    "facilitator.share": _("Changed whether a facilitator is shared"),
    "facilitator.availability": _("Changed a facilitator's availability"),
    "assignments.plan": _("Planned facilitators again"),
    "credit.revoke": _("Revoked a PD credit"),
    "delivery.retry": _("Sent a failed message again"),
}
SUBJECT_NAMES = {
    "person": _("Person %(id)s"),
    "program": _("Program %(id)s"),
    "affiliate": _("Affiliate %(id)s"),
    "facilitator": _("Facilitator %(id)s"),
    "educator": _("Educator %(id)s"),
    "API key": _("API key %(id)s"),
    "event": _("Stuck event %(id)s"),
    "delivery": _("Message %(id)s"),
    "credit": _("PD credit %(id)s"),
    "window": _("Cohorts starting %(id)s"),
}
ACTOR_NAMES = {
    "bootstrap": _("The setup operator (COHORT_ADMIN_TOKEN)"),
    "operator at the command line": _("An operator at the command line"),
}


def subject_words(subject: str) -> tuple[str, str]:
    """A record's subject as a catalogue message and the id it names ("Facilitator %(id)s",
    "12"); an unknown kind is shown as it is."""
    kind, _space, rest = subject.rpartition(" ")
    if kind in SUBJECT_NAMES:
        return SUBJECT_NAMES[kind], rest.replace("/", " \u2013 ")
    return "%(id)s", subject


def detail_lines(details: dict[str, Any]) -> list[tuple[str, str]]:
    """A record's details as (field, value) lines; a change reads "old → new"."""
    lines = []
    for name, value in details.items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            shown = f"{_plain(value['from'])} → {_plain(value['to'])}"
        else:
            shown = _plain(value)
        lines.append((name, shown))
    return lines


def _plain(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or "—"
    return str(value)


def newest_first(pages: dict[str, dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The `limit` newest records of several services' pages, each tagged with its service, and
    whether older ones remain."""
    merged = [
        {**item, "service": service} for service, page in pages.items() for item in page["items"]
    ]
    merged.sort(key=lambda item: (dates.instant(item["at"]), item["id"]), reverse=True)
    more = len(merged) > limit or any(page["total"] > len(page["items"]) for page in pages.values())
    return merged[:limit], more


def _before(value: str) -> str:
    """The paging instant asked for, or nothing when it is not one."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return ""
    return moment.isoformat() if 2000 <= moment.year <= 2100 else ""


@router.get("/operator/activity")
async def activity(visit: VisitDep, service: str = "all", before: str = "") -> Response:
    """What operators, affiliates' administrators and facilitators did, newest first."""
    entered = await desks.enter(visit)
    if not isinstance(entered, Desk):
        return entered
    chosen = service if service in SERVICES else "all"
    wanted = SERVICES if chosen == "all" else (chosen,)
    since = _before(before)
    connections = visit.connections
    answers = await asyncio.gather(
        *(work.audit(connections.apis[name], token=entered.token, before=since) for name in wanted)
    )
    records, more = newest_first(dict(zip(wanted, answers, strict=True)), work.PAGE)
    return desks.render(
        entered,
        "operator_activity.html",
        records=records,
        older=records[-1]["at"] if more and records else "",
        chosen=chosen,
        before=since,
        services=SERVICES,
        service_names=SERVICE_NAMES,
        action_names=ACTION_NAMES,
        actor_names=ACTOR_NAMES,
        subject_words=subject_words,
        detail_lines=detail_lines,
    )
