"""File names and folders a clerk can publish as they are."""

from __future__ import annotations

import datetime as dt

from reportgen.layout import meeting_folder, slug
from reportgen.model import Meeting, Unknown


def meeting(date) -> Meeting:
    return Meeting(body="cabinet", council="nlc", date=date, venue="Civic Centre")


def test_a_slug_keeps_words_and_drops_punctuation():
    assert slug("Transformation & Shared Services") == "transformation-shared-services"


def test_a_slug_transliterates_accents():
    assert slug("Café – Société") == "cafe-societe"


def test_a_long_slug_stops_at_a_whole_word():
    assert slug("one two three four", limit=12) == "one-two"


def test_a_title_without_letters_is_untitled():
    assert slug("– £ –") == "untitled"


def test_a_meeting_folder_starts_with_its_date():
    assert meeting_folder(meeting(dt.date(2014, 6, 10))) == "2014-06-10-cabinet"


def test_a_meeting_without_a_date_is_marked_tbc():
    assert meeting_folder(meeting(Unknown(unknown="not given"))) == "date-tbc-cabinet"
