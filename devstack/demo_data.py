"""The demo's seed data: affiliates, programs, facilitators, offerings and educators."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

AFFILIATES: tuple[dict[str, str], ...] = (
    {"name": "Ohio Education Association", "state": "OH", "timezone": "America/New_York"},
    {"name": "Illinois Education Association", "state": "IL", "timezone": "America/Chicago"},
    {"name": "California Teachers Association", "state": "CA", "timezone": "America/Los_Angeles"},
)

PROGRAMS = (
    ("implicit-bias", "Implicit Bias", False, 1),
    ("microaggressions", "Microaggressions and Stereotypes", False, 1),
    ("cultural-competence", "Cultural Competence", False, 1),
    ("bullying-harassment", "Bullying and Sexual-Harassment Prevention", False, 2),
    ("lgbtq-inclusive", "LGBTQ-Inclusive Schools", True, 1),
    ("racial-justice", "Racial Justice in Education", False, 1),
    ("diversity", "Diversity in the Classroom", False, 1),
)

FACILITATOR_NAMES = (
    "Ana Díaz",
    "Marcus Bell",
    "Priya Raman",
    "Tomás Ortega",
    "Keisha Howard",
    "Lena Schmidt",
    "Jamal Carter",
    "Mei Chen",
    "Rosa Delgado",
    "Samuel Okafor",
    "Hannah Kim",
    "Zoë Ñúñez",
)
FACILITATOR_HOMES = (
    ("OH", "America/New_York"),
    ("IL", "America/Chicago"),
    ("CA", "America/Los_Angeles"),
)


@dataclass(frozen=True)
class OfferingPlan:
    """One offering to create: who posts it, what, where and when."""

    affiliate: int
    program: str
    title: str
    format: str
    capacity: int
    max_cohorts: int
    meetings: tuple[tuple[datetime, datetime], ...]


def program_payloads() -> list[dict[str, object]]:
    """POST /programs bodies."""
    return [
        {
            "code": code,
            "title": title,
            "description": f"{title}: a professional-development program.",
            "facilitators_required": required,
            "max_participants": 30,
            "pd_hours": 3.0,
            "sensitive": sensitive,
        }
        for code, title, sensitive, required in PROGRAMS
    ]


def facilitator_payloads() -> list[dict[str, object]]:
    """POST /facilitators bodies: mixed certifications, weekday availability in their own zone."""
    codes = [code for code, *_ in PROGRAMS]
    payloads = []
    for index, name in enumerate(FACILITATOR_NAMES):
        state, zone = FACILITATOR_HOMES[index % 3]
        certifications = sorted({codes[index % 7], codes[(index + 2) % 7], codes[(index + 4) % 7]})
        payloads.append(
            {
                "name": name,
                "email": f"facilitator{index + 1}@facilitators.cohort.test",
                "timezone": zone,
                "certifications": certifications,
                "home_state": state,
                "max_sessions_per_month": 10,
                "availability": [
                    {"weekday": d, "start": "06:00", "end": "21:00"} for d in range(5)
                ],
            }
        )
    return payloads


def _monday_after(start: date, weeks: int) -> date:
    return start + timedelta(days=(7 - start.weekday()) % 7 + 7 * weeks)


def _meeting(day: date, hour: int, hours: int) -> tuple[datetime, datetime]:
    begins = datetime.combine(day, time(hour))
    return begins, begins + timedelta(hours=hours)


def offering_plans(today: date) -> list[OfferingPlan]:
    """Ten offerings over the coming weeks: in person, virtual, hybrid, single and multi-meeting."""
    week = [_monday_after(today, n) for n in range(3, 9)]
    return [
        OfferingPlan(
            0,
            "implicit-bias",
            "Implicit Bias in the Classroom",
            "in_person",
            25,
            1,
            (_meeting(week[0] + timedelta(days=1), 9, 3),),
        ),
        OfferingPlan(
            0,
            "microaggressions",
            "Naming Microaggressions",
            "virtual",
            30,
            2,
            (
                _meeting(week[0] + timedelta(days=2), 16, 2),
                _meeting(week[1] + timedelta(days=2), 16, 2),
            ),
        ),
        OfferingPlan(
            0,
            "lgbtq-inclusive",
            "Safe and Inclusive Schools",
            "hybrid",
            20,
            1,
            (_meeting(week[1] + timedelta(days=3), 9, 3),),
        ),
        OfferingPlan(
            1,
            "cultural-competence",
            "Cultural Competence Foundations",
            "in_person",
            25,
            2,
            (
                _meeting(week[0] + timedelta(days=3), 9, 3),
                _meeting(week[2] + timedelta(days=3), 9, 3),
            ),
        ),
        OfferingPlan(
            1,
            "racial-justice",
            "Racial Justice in Education",
            "virtual",
            30,
            1,
            (_meeting(week[1] + timedelta(days=1), 15, 2),),
        ),
        OfferingPlan(
            1,
            "bullying-harassment",
            "Preventing Bullying and Harassment",
            "in_person",
            20,
            1,
            (_meeting(week[2] + timedelta(days=1), 13, 3),),
        ),
        OfferingPlan(
            1,
            "diversity",
            "Diversity in the Classroom",
            "hybrid",
            25,
            1,
            (_meeting(week[3] + timedelta(days=2), 9, 3),),
        ),
        OfferingPlan(
            2,
            "implicit-bias",
            "Implicit Bias: Next Steps",
            "virtual",
            30,
            1,
            (
                _meeting(week[2] + timedelta(days=4), 9, 2),
                _meeting(week[3] + timedelta(days=4), 9, 2),
                _meeting(week[4] + timedelta(days=4), 9, 2),
            ),
        ),
        OfferingPlan(
            2,
            "microaggressions",
            "Microaggressions and Stereotypes",
            "in_person",
            25,
            1,
            (_meeting(week[3] + timedelta(days=1), 9, 3),),
        ),
        OfferingPlan(
            2,
            "cultural-competence",
            "Culturally Responsive Teaching",
            "hybrid",
            25,
            1,
            (_meeting(week[4] + timedelta(days=2), 13, 3),),
        ),
    ]


def venue_for(state: str) -> dict[str, str]:
    """A plausible venue in the affiliate's state."""
    cities = {"OH": "Columbus", "IL": "Springfield", "CA": "Sacramento"}
    return {
        "name": f"{state} Education Center",
        "address": "100 Main St",
        "city": cities[state],
        "state": state,
    }


def educator_payloads(count: int, seed: int = 7) -> list[dict[str, object]]:
    """POST /sign-in bodies with distinct, realistic names (some non-ASCII)."""
    rng = random.Random(seed)
    first = [
        "Ava",
        "Liam",
        "Noah",
        "Emma",
        "Sofía",
        "José",
        "Amara",
        "Chloé",
        "Ravi",
        "Yuki",
        "Omar",
        "Ines",
    ]
    last = [
        "Johnson",
        "García",
        "Nguyen",
        "Smith",
        "Okoye",
        "Müller",
        "Patel",
        "Rossi",
        "Brown",
        "Lee",
    ]
    zones = [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Phoenix",
    ]
    return [
        {
            "name": f"{rng.choice(first)} {rng.choice(last)}",
            "email": f"educator{n + 1}@schools.cohort.test",
            "timezone": rng.choice(zones),
        }
        for n in range(count)
    ]
