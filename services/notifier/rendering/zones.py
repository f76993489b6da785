"""Time rules of the notifier: UTC instants, reminder instants and a zone's transitions.

Pure: standard library only. Transitions feed the VTIMEZONE components of invites and feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

FIRST_YEAR = 1970  # history before this never matters for a meeting
_DAY = 86_400


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime (SQLite hands back naive UTC values); the twin of
    `shared.columns.as_utc` for code that imports no ORM."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def reminder_instant(meeting_start_local: datetime, offset: timedelta) -> datetime:
    """The UTC instant `offset` of elapsed time before the meeting starts.

    Rule: reminders count real elapsed time, not wall-clock time, so "24 h before" a 09:00
    meeting on the Sunday the clocks change fires at 08:00 (spring) or 10:00 (autumn) local
    time on Saturday.
    Python subtracts wall-clock time from an aware local datetime, hence the UTC conversion first.
    """
    if meeting_start_local.tzinfo is None or meeting_start_local.utcoffset() is None:
        raise ValueError("meeting_start_local must be an aware datetime")
    return meeting_start_local.astimezone(UTC) - offset


@dataclass(frozen=True)
class Transition:
    """A change of a zone's UTC offset or abbreviation at one instant."""

    at_utc: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_start(self) -> datetime:
        """Wall time (naive) at which the change happens, read in the old offset."""
        return (self.at_utc + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class YearlyRule:
    """A transition repeating every year on the n-th (or last, -1) weekday of a month."""

    month: int
    weekday: int  # Monday = 0
    weeks: frozenset[int]  # every week number the observed dates fit
    wall_time: time
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def week(self) -> int:
        """The week number to write in BYDAY: a fixed n-th week if one fits, else -1 (last)."""
        return min((w for w in self.weeks if 0 < w < 5), default=-1)


@dataclass(frozen=True)
class Era:
    """A run of years in which a zone followed one pattern.

    kind "fixed": no transition (offset/name in `fixed`); "rules": two yearly rules, the first
    change of each in `firsts`, last of each in `lasts`; "listed": irregular changes in `firsts`.
    """

    kind: str
    first_year: int
    last_year: int
    fixed: tuple[timedelta, str] | None = None
    rules: tuple[YearlyRule, ...] = ()
    firsts: tuple[Transition, ...] = ()
    lasts: tuple[Transition, ...] = ()


def _state(zone: ZoneInfo, ts: int) -> tuple[timedelta, str, bool]:
    moment = datetime.fromtimestamp(ts, zone)
    return moment.utcoffset() or timedelta(0), moment.tzname() or "", bool(moment.dst())


@lru_cache(maxsize=4096)
def year_transitions(tzid: str, year: int) -> tuple[Transition, ...]:
    """Every offset or abbreviation change of `tzid` during `year` (UTC), found by bisection."""
    zone = ZoneInfo(tzid)
    start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp())
    found: list[Transition] = []
    before = _state(zone, start)
    for day in range(start, end, _DAY):
        after = _state(zone, day + _DAY)
        if after[:2] == before[:2]:
            continue
        low, high = day, day + _DAY  # state(low) == before, state(high) == after
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if _state(zone, middle)[:2] == before[:2] else (low, middle)
        at = datetime.fromtimestamp(high, UTC)
        found.append(Transition(at, before[0], after[0], after[1], after[2]))
        before = after
    return tuple(found)


def _rule_of(change: Transition) -> YearlyRule:
    local = change.local_start
    weeks = {(local.day - 1) // 7 + 1}
    if (local + timedelta(days=7)).month != local.month:
        weeks.add(-1)
    return YearlyRule(
        month=local.month,
        weekday=local.weekday(),
        weeks=frozenset(weeks),
        wall_time=local.time(),
        offset_from=change.offset_from,
        offset_to=change.offset_to,
        name=change.name,
        is_dst=change.is_dst,
    )


def _year_era(tzid: str, year: int) -> Era:
    changes = year_transitions(tzid, year)
    if not changes:
        moment = datetime(year, 7, 1, tzinfo=UTC).astimezone(ZoneInfo(tzid))
        fixed = (moment.utcoffset() or timedelta(0), moment.tzname() or "")
        return Era("fixed", year, year, fixed=fixed)
    if len(changes) == 2:
        rules = tuple(_rule_of(change) for change in changes)
        return Era("rules", year, year, rules=rules, firsts=changes, lasts=changes)
    return Era("listed", year, year, firsts=changes)


def _merged(earlier: Era, later: Era) -> Era | None:
    """One era covering both consecutive ones when they follow the same pattern, else None."""
    if earlier.kind != later.kind or earlier.kind == "listed":
        return None
    if earlier.kind == "fixed":
        if earlier.fixed != later.fixed:
            return None
        return Era("fixed", earlier.first_year, later.last_year, fixed=earlier.fixed)
    rules = []
    for old, new in zip(earlier.rules, later.rules, strict=True):
        weeks = old.weeks & new.weeks
        if not weeks or replace(new, weeks=old.weeks) != old:
            return None
        rules.append(replace(old, weeks=weeks))
    return Era(
        "rules",
        earlier.first_year,
        later.last_year,
        rules=tuple(rules),
        firsts=earlier.firsts,
        lasts=later.lasts,
    )


@lru_cache(maxsize=1024)
def zone_eras(tzid: str, first_year: int, last_year: int) -> tuple[Era, ...]:
    """The eras of `tzid` covering `first_year`..`last_year`, the first one reaching back to
    where its pattern began: a yearly rule starts at its real first change, so every invite of
    this era carries the same VTIMEZONE (vobject keeps the first one it reads per TZID)."""
    eras = [_year_era(tzid, first_year)]
    year = first_year - 1
    while year >= FIRST_YEAR and (merged := _merged(_year_era(tzid, year), eras[0])):
        eras[0] = merged
        year -= 1
    for year in range(first_year + 1, last_year + 1):
        era = _year_era(tzid, year)
        merged = _merged(eras[-1], era)
        if merged:
            eras[-1] = merged
        else:
            eras.append(era)
    return tuple(eras)
