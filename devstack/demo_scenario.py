"""The demo scenario, played through the public HTTP API only, noting the mail it should cause."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from devstack import demo_data, demo_people
from devstack.demo_client import NOTIFIER, REGISTRY, SCHEDULER, CohortApi
from devstack.mailbox import Mailbox
from devstack.progress import Progress


@dataclass
class Expectations:
    """Messages the scenario must cause: at least `count` of `kind` to `email`."""

    minimum: Counter[tuple[str, str]] = field(default_factory=Counter)

    def expect(self, email: str, kind: str, count: int = 1) -> None:
        """Record that `email` must receive at least `count` more messages of `kind`."""
        self.minimum[(email, kind)] += count


@dataclass
class World:
    """What the scenario created."""

    affiliate_keys: list[str] = field(default_factory=list)
    offerings: list[dict[str, Any]] = field(default_factory=list)
    educators: list[dict[str, Any]] = field(default_factory=list)
    registrations: dict[int, dict[str, Any]] = field(default_factory=dict)
    expectations: Expectations = field(default_factory=Expectations)


class Scenario:
    """Seed, then publish, rush, cancel, reschedule, cancel an offering and re-plan facilitators."""

    def __init__(self, api: CohortApi, progress: Progress, mailbox: Mailbox) -> None:
        self.api = api
        self.progress = progress
        self.mailbox = mailbox
        self.world = World()

    def seed(self, educators: int) -> None:
        """Create affiliates and their API keys, programs, facilitators, offerings; sign
        educators in by the mailed link."""
        api, admin = self.api, self.api.admin
        for body in demo_data.AFFILIATES:
            self.world.affiliate_keys.append(demo_people.add_affiliate(api, body))
        for program in demo_data.program_payloads():
            api.call("POST", f"{REGISTRY}/programs", admin, program, ok=(201, 409))
        facilitators = demo_data.facilitator_payloads()
        for facilitator in facilitators:
            api.call("POST", f"{SCHEDULER}/facilitators", admin, facilitator)
            self.world.expectations.expect(str(facilitator["email"]), "invitation")
        for facilitator in facilitators:
            demo_people.accept_invitation(api, self.mailbox, str(facilitator["email"]))
        self.progress.step(
            "seeded affiliates (each with an API key), programs and facilitators "
            "(who accepted their invitations)"
        )
        for plan in demo_data.offering_plans(date.today()):
            self.world.offerings.append(self._create_offering(plan))
        self.progress.step(f"created {len(self.world.offerings)} offerings")
        bodies = demo_data.educator_payloads(educators)
        self.world.educators = demo_people.sign_in_all(api, self.mailbox, bodies, self.progress)
        for educator in self.world.educators:
            self.world.expectations.expect(educator["email"], "sign_in")
        self.progress.step(f"{len(self.world.educators)} educators signed in by the mailed link")

    def _create_offering(self, plan: demo_data.OfferingPlan) -> dict[str, Any]:
        affiliate = demo_data.AFFILIATES[plan.affiliate]
        body: dict[str, Any] = {
            "program_code": plan.program,
            "title": plan.title,
            "format": plan.format,
            "timezone": affiliate["timezone"],
            "capacity": plan.capacity,
            "max_cohorts": plan.max_cohorts,
            "meetings": [
                {
                    "starts_at": s.isoformat(timespec="minutes"),
                    "ends_at": e.isoformat(timespec="minutes"),
                }
                for s, e in plan.meetings
            ],
        }
        if plan.format != "virtual":
            body["venue"] = demo_data.venue_for(affiliate["state"])
        if plan.format != "in_person":
            body["join_url"] = "https://meet.cohort.test/" + plan.program
        key = self.world.affiliate_keys[plan.affiliate]
        created = self.api.call("POST", f"{REGISTRY}/offerings", key, body)
        return {**created, "key": key, "meeting_count": len(plan.meetings)}

    def publish(self) -> None:
        """Publish every offering and wait until the scheduler has them."""
        for offering in self.world.offerings:
            self.api.call("POST", f"{REGISTRY}/offerings/{offering['id']}/publish", offering["key"])
        self.progress.step("published all offerings")

    def rush(self) -> None:
        """Every educator registers for one or two offerings; the first one is oversubscribed."""
        jobs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        offerings = self.world.offerings
        for n, educator in enumerate(self.world.educators):
            jobs.append(
                (educator, offerings[0] if n < 60 else offerings[1 + n % (len(offerings) - 1)])
            )
            if n % 5 == 0:
                jobs.append((educator, offerings[1 + (n + 3) % (len(offerings) - 1)]))
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(self._register, jobs))
        statuses = Counter(r["status"] for r in results)
        self.progress.step(f"registration rush: {len(results)} requests → {dict(statuses)}")

    def _register(self, job: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        educator, offering = job
        reply = self.api.call(
            "POST",
            f"{SCHEDULER}/registrations",
            educator["token"],
            {"offering_id": offering["id"]},
            ok=(200, 201, 409),
        )
        if "status" not in reply:
            return {"status": "refused"}
        self.world.registrations[reply["id"]] = {
            **reply,
            "email": educator["email"],
            "offering": offering,
        }
        if reply["status"] == "confirmed":
            self.world.expectations.expect(educator["email"], "invite", offering["meeting_count"])
        elif reply["status"] == "waitlisted":
            self.world.expectations.expect(educator["email"], "waitlisted")
        return reply

    def cancellations(self, count: int = 5) -> None:
        """Some confirmed educators of the busy offering cancel; the waitlist head moves up."""
        busy = self.world.offerings[0]
        confirmed = [
            r
            for r in self.world.registrations.values()
            if r["offering"] is busy and r["status"] == "confirmed"
        ][:count]
        for registration in confirmed:
            token = next(
                e["token"] for e in self.world.educators if e["id"] == registration["educator_id"]
            )
            self.api.call("POST", f"{SCHEDULER}/registrations/{registration['id']}/cancel", token)
            registration["status"] = "cancelled"
            self.world.expectations.expect(registration["email"], "cancel", busy["meeting_count"])
        roster = self.roster(busy)
        members = {m["registration_id"] for c in roster["cohorts"] for m in c["members"]}
        for registration in self.world.registrations.values():
            if (
                registration["offering"] is busy
                and registration["status"] == "waitlisted"
                and registration["id"] in members
            ):
                registration["status"] = "confirmed"
                self.world.expectations.expect(
                    registration["email"], "invite", busy["meeting_count"]
                )
        self.progress.step(
            f"{len(confirmed)} cancellations on '{busy['title']}' promoted the waitlist"
        )

    def reschedule(self) -> None:
        """Move every meeting of one offering a day later."""
        offering = self.world.offerings[3]
        current = self.api.call("GET", f"{REGISTRY}/offerings/{offering['id']}", offering["key"])
        meetings = [self._shift(m) for m in current["meetings"]]
        self.api.call(
            "PATCH",
            f"{REGISTRY}/offerings/{offering['id']}",
            offering["key"],
            {"meetings": meetings},
        )
        for registration in self._confirmed(offering):
            self.world.expectations.expect(
                registration["email"], "update", offering["meeting_count"]
            )
        self.progress.step(f"rescheduled '{offering['title']}'")

    @staticmethod
    def _shift(meeting: dict[str, Any]) -> dict[str, Any]:
        from datetime import datetime

        start = datetime.fromisoformat(meeting["starts_at"]).replace(tzinfo=None) + timedelta(
            days=1
        )
        end = datetime.fromisoformat(meeting["ends_at"]).replace(tzinfo=None) + timedelta(days=1)
        return {
            "id": meeting["id"],
            "starts_at": start.isoformat(timespec="minutes"),
            "ends_at": end.isoformat(timespec="minutes"),
        }

    def cancel_offering(self) -> None:
        """Cancel one offering outright."""
        offering = self.world.offerings[5]
        self.api.call(
            "POST",
            f"{REGISTRY}/offerings/{offering['id']}/cancel",
            offering["key"],
            {"reason": "Venue unavailable"},
        )
        for registration in self._confirmed(offering):
            self.world.expectations.expect(
                registration["email"], "cancel", offering["meeting_count"]
            )
            registration["status"] = "cancelled"
        self.progress.step(f"cancelled '{offering['title']}'")

    def replan(self) -> dict[str, Any]:
        """Re-plan facilitators for the whole window with the batch planner."""
        today = date.today()
        window = {
            "starts_after": today.isoformat() + "T00:00",
            "starts_before": (today + timedelta(days=120)).isoformat() + "T00:00",
        }
        result: dict[str, Any] = self.api.call(
            "POST", f"{SCHEDULER}/assignments/plan", self.api.admin, window
        )
        assigned = result.get("assigned", [])
        count = len(assigned) if isinstance(assigned, list) else assigned
        self.progress.step(
            f"facilitator re-plan: {count} cohorts staffed, "
            f"{len(result.get('unassigned', []))} without a facilitator, "
            f"objective {result.get('objective')}"
        )
        return result

    def roster(self, offering: dict[str, Any]) -> dict[str, Any]:
        """The offering's roster as its affiliate sees it."""
        roster: dict[str, Any] = self.api.call(
            "GET", f"{SCHEDULER}/offerings/{offering['id']}/roster", offering["key"]
        )
        return roster

    def _confirmed(self, offering: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            r
            for r in self.world.registrations.values()
            if r["offering"] is offering and r["status"] == "confirmed"
        ]

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery the notifier recorded."""
        return list(self.api.pages(f"{NOTIFIER}/deliveries", self.api.admin))
