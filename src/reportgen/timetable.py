"""A meeting's publication timetable: the dates by which its papers must be ready.

The law sets one deadline: a meeting's agenda and reports are open to the public at least
five *clear days* before it (Local Government Act 1972 s.100B(3); for executive meetings the
Local Authorities (Executive Arrangements) (Meetings and Access to Information) (England)
Regulations 2012, reg. 6-7). A council's standing orders add its own (a draft to legal and
finance, the final report to the clerk), each so many clear days before the meeting.

Clear days leave out the day of publication and the day of the meeting. Whether Saturdays,
Sundays and bank holidays count is the council's reading of the law, so it is a setting
(``standing_orders.clear_days``); bank holidays come from the ``holidays`` package for the
council's part of the UK. Where they do not count, a deadline is moved back to a working day,
since no one publishes on a Sunday.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .model import Meeting, StandingOrders

if TYPE_CHECKING:
    from icalendar import Event

# Five clear days: Local Government Act 1972 s.100B(3).
STATUTORY_CLEAR_DAYS = 5
STATUTORY = "Agenda and reports published (Local Government Act 1972 s.100B)"
# Meetings of UK councils are held in UK time.
LOCAL_TIME = ZoneInfo("Europe/London")
# A meeting held partly in private: notice of that 28 clear days before it (2012
# Regulations, reg. 5).
PRIVATE_NOTICE_CLEAR_DAYS = 28
PRIVATE_NOTICE = (
    "Notice of intention to consider exempt information in private (2012 Regulations reg. 5)"
)
# The file name of a meeting's timetable, beside its index.html.
TIMETABLE = "timetable.ics"
# The holidays package's subdivisions of the United Kingdom.
NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}


def today() -> dt.date:
    """Today, or the date ``REPORTGEN_TODAY`` gives (``2014-06-03``): what deadlines that
    have passed are measured against."""
    pinned = os.environ.get("REPORTGEN_TODAY", "").strip()
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


@dataclass(frozen=True)
class Deadline:
    """A date by which something must be done before a meeting."""

    name: str
    date: dt.date
    clear_days: int
    statutory: bool = False


def timetable(
    meeting: Meeting, orders: StandingOrders | None, *, in_private: bool = False
) -> list[Deadline]:
    """The meeting's deadlines, earliest first; none while its date is not known. A meeting
    that will consider exempt information (``in_private``) also needs its notice of that."""
    if not isinstance(meeting.date, dt.date):
        return []
    orders = orders or StandingOrders()
    deadlines = [
        Deadline(
            STATUTORY,
            latest_day(meeting.date, STATUTORY_CLEAR_DAYS, orders),
            STATUTORY_CLEAR_DAYS,
            statutory=True,
        )
    ]
    if in_private:
        day = latest_day(meeting.date, PRIVATE_NOTICE_CLEAR_DAYS, orders)
        deadlines.append(Deadline(PRIVATE_NOTICE, day, PRIVATE_NOTICE_CLEAR_DAYS, statutory=True))
    for own in orders.deadlines:
        day = latest_day(meeting.date, own.clear_days, orders)
        deadlines.append(Deadline(own.name, day, own.clear_days))
    return sorted(deadlines, key=lambda d: (d.date, not d.statutory))


def latest_day(meeting: dt.date, clear_days: int, orders: StandingOrders) -> dt.date:
    """The last day on which something can happen with ``clear_days`` clear days left
    before ``meeting``: the days strictly between the two that count number at least
    ``clear_days``."""
    counted = 0
    day = meeting
    while counted < clear_days:
        day -= dt.timedelta(days=1)
        if counts(day, orders):
            counted += 1
    day -= dt.timedelta(days=1)
    if orders.clear_days == "working-days":
        while not counts(day, orders):
            day -= dt.timedelta(days=1)
    return day


def clear_days_between(first: dt.date, meeting: dt.date, orders: StandingOrders) -> int:
    """How many clear days lie between ``first`` (say, the day papers were published) and
    ``meeting``, counting only the days the standing orders count."""
    days = (meeting - first).days - 1
    return sum(1 for n in range(1, days + 1) if counts(first + dt.timedelta(days=n), orders))


def counts(day: dt.date, orders: StandingOrders) -> bool:
    """Whether ``day`` counts as a clear day under ``orders``."""
    if orders.clear_days == "all-days":
        return True
    return day.weekday() < 5 and day not in _bank_holidays(orders.bank_holidays, day.year)


@functools.lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[dt.date]:
    # Loaded on first use: only a dated meeting of a council that skips bank holidays needs
    # the package's tables, and loading them is a noticeable part of starting up.
    import holidays

    found = holidays.country_holidays("GB", subdiv=NATIONS[nation], years=[year])
    return frozenset(found)


def calendar(
    meeting_id: str, meeting: Meeting, deadlines: list[Deadline], stamp: dt.datetime
) -> bytes:
    """The deadlines and the meeting as an iCalendar file (``timetable.ics``), for a
    clerk's calendar. ``stamp`` is when it was made (from the inputs, so two builds agree)."""
    from icalendar import Calendar  # loaded on first use: a meeting with no date needs none

    assert isinstance(meeting.date, dt.date)
    title = f"{meeting.body_name} {meeting.date.day} {meeting.date:%B} {meeting.date.year}"
    ics = Calendar()
    ics.add("prodid", "-//reportgen//publication timetable//EN")
    ics.add("version", "2.0")
    ics.add("x-wr-calname", f"{title}: timetable")
    # Identifiers stable from build to build (a rebuilt timetable updates the events a clerk
    # imported before) and unique to this meeting on this date.
    uid = f"{meeting.date.isoformat()}-{meeting_id}"
    for deadline in deadlines:
        event = _all_day(f"{uid}-{_slug(deadline.name)}", deadline.date, stamp)
        event.add("summary", f"{title}: {deadline.name}")
        event.add(
            "description",
            f"{deadline.clear_days} clear days before the meeting"
            + (" (the law's deadline)" if deadline.statutory else " (standing orders)"),
        )
        ics.add_component(event)
    meeting_event = _all_day(f"{uid}-meeting", meeting.date, stamp)
    if isinstance(meeting.time, str):
        hour, minute = map(int, meeting.time.split(":"))
        start = dt.datetime.combine(meeting.date, dt.time(hour, minute), tzinfo=LOCAL_TIME)
        meeting_event.pop("dtstart")
        meeting_event.pop("dtend")
        meeting_event.add("dtstart", start)
    meeting_event.add("summary", title)
    if isinstance(meeting.venue, str):
        meeting_event.add("location", meeting.venue)
    ics.add_component(meeting_event)
    ics.add_missing_timezones()
    return ics.to_ical()


def _all_day(uid: str, day: dt.date, stamp: dt.datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", f"{uid}@reportgen")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
