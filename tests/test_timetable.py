"""A meeting's publication timetable: five clear days by law, the council's own deadlines,
counted as its standing orders say, and the timetable as an iCalendar file."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from icalendar import Calendar

from reportgen.check import check
from reportgen.model import Body, CouncilDeadline, Meeting, Organisation, Project, StandingOrders
from reportgen.timetable import (
    STATUTORY,
    calendar,
    clear_days_between,
    latest_day,
    timetable,
)

from conftest import FIXTURES, TEMPLATES

WORKING_DAYS = StandingOrders()
ALL_DAYS = StandingOrders(clear_days="all-days")


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def meeting(date: str, **extra) -> Meeting:
    """A meeting of the Cabinet, its body found as a project finds it."""
    held = Meeting(body="cabinet", council="home", date=day(date), venue="Town Hall", **extra)
    Project(
        organisations={"home": Organisation(name="Home Council")},
        bodies={"cabinet": Body(name="Cabinet", members={"unknown": "not listed"})},
        meetings={"cabinet": held},
    )
    return held


def test_five_clear_working_days_leave_out_the_weekend_and_both_end_days():
    # Thursday 12 June 2014: Wednesday to Thursday of the week before are the five clear days.
    assert latest_day(day("2014-06-12"), 5, WORKING_DAYS) == day("2014-06-04")


def test_on_the_last_lawful_day_there_are_exactly_five_clear_days():
    meeting_day = day("2014-06-12")
    due = latest_day(meeting_day, 5, WORKING_DAYS)
    assert clear_days_between(due, meeting_day, WORKING_DAYS) == 5
    assert clear_days_between(due + dt.timedelta(days=1), meeting_day, WORKING_DAYS) == 4


def test_a_bank_holiday_inside_the_window_does_not_count():
    # Monday 26 May 2014 was the spring bank holiday in England.
    assert latest_day(day("2014-05-29"), 5, WORKING_DAYS) == day("2014-05-20")


def test_counting_every_day_is_a_setting_of_the_council():
    assert latest_day(day("2014-06-12"), 5, ALL_DAYS) == day("2014-06-06")


def test_a_deadline_that_would_fall_on_a_sunday_is_the_friday_before():
    # Monday 16 June 2014: the five clear days are 9-13 June, so Sunday 8 June is the last
    # lawful day; offices are shut, so the deadline is Friday 6 June.
    assert latest_day(day("2014-06-16"), 5, WORKING_DAYS) == day("2014-06-06")


def test_each_nation_has_its_own_bank_holidays():
    # Friday 9 January 2015. In England the five clear days reach back to Friday 2 January,
    # so the deadline is the working day before New Year's Day; in Scotland 2 January is a
    # bank holiday too, so they reach back to 31 December.
    scotland = StandingOrders(bank_holidays="scotland")
    assert latest_day(day("2015-01-09"), 5, WORKING_DAYS) == day("2014-12-31")
    assert latest_day(day("2015-01-09"), 5, scotland) == day("2014-12-30")


def test_the_timetable_lists_the_law_and_the_councils_deadlines_earliest_first():
    orders = StandingOrders(
        deadlines=[
            CouncilDeadline(name="Final report to the clerk", clear_days=8),
            CouncilDeadline(name="Draft to legal and finance", clear_days=15),
        ]
    )
    deadlines = timetable(meeting("2015-09-09"), orders)
    assert [(d.name, d.date, d.statutory) for d in deadlines] == [
        ("Draft to legal and finance", day("2015-08-17"), False),
        ("Final report to the clerk", day("2015-08-26"), False),
        (STATUTORY, day("2015-09-01"), True),
    ]


def test_a_meeting_without_a_date_has_no_timetable():
    undated = Meeting(
        body="cabinet", council="home", date={"unknown": "not set"}, venue="Town Hall"
    )
    assert timetable(undated, None) == []


def test_the_calendar_holds_each_deadline_and_the_meeting_in_uk_time():
    held = meeting("2015-09-09", time="18:30")
    deadlines = timetable(held, None)
    stamp = dt.datetime(2015, 9, 1, tzinfo=dt.UTC)
    parsed = Calendar.from_ical(calendar("cabinet", held, deadlines, stamp))
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    assert events[f"Cabinet 9 September 2015: {STATUTORY}"].decoded("dtstart") == day("2015-09-01")
    start = events["Cabinet 9 September 2015"].decoded("dtstart")
    assert start.isoformat() == "2015-09-09T18:30:00+01:00"
    assert str(events["Cabinet 9 September 2015"]["location"]) == "Town Hall"
    assert len({str(e["uid"]) for e in events.values()}) == len(events)


def test_the_calendar_is_the_same_bytes_from_the_same_inputs():
    held = meeting("2015-09-09")
    stamp = dt.datetime(2015, 9, 1, tzinfo=dt.UTC)
    first = calendar("cabinet", held, timetable(held, None), stamp)
    assert calendar("cabinet", held, timetable(held, None), stamp) == first


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "minimal", inputs)
    return inputs


def set_published(inputs: Path, published: str) -> None:
    meetings = inputs / "meetings.yaml"
    meetings.write_text(meetings.read_text() + f"  published: {published}\n")


def messages(inputs: Path, *, final: bool = False) -> list[str]:
    return [f"{d.severity}: {d.message}" for d in check(inputs, TEMPLATES, final=final).diagnostics]


def test_papers_published_on_the_last_lawful_day_are_in_time(minimal):
    # The minimal meeting is on Tuesday 10 June 2014; the last lawful day is Monday 2 June.
    set_published(minimal, "2014-06-02")
    assert messages(minimal) == []


def test_papers_published_a_day_late_are_a_warning_and_an_error_when_final(minimal):
    set_published(minimal, "2014-06-03")
    late = "published 4 clear days before the meeting; the law needs 5, so by 2 June 2014"
    assert messages(minimal) == [f"warning: {late}"]
    assert messages(minimal, final=True) == [f"error: {late}"]


def test_a_deadline_passed_with_nothing_published_is_a_warning(minimal, monkeypatch):
    monkeypatch.setenv("REPORTGEN_TODAY", "2014-06-03")
    (found,) = messages(minimal)
    assert found.startswith("warning: the agenda and reports had to be published by 2 June")
    monkeypatch.setenv("REPORTGEN_TODAY", "2014-06-02")
    assert messages(minimal) == []


def test_a_meeting_already_held_is_history_not_a_warning(minimal, monkeypatch):
    monkeypatch.setenv("REPORTGEN_TODAY", "2014-06-11")
    assert messages(minimal) == []
