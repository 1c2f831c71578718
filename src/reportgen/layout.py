"""Where each output goes in ``build/``: a folder per meeting, file names a clerk can publish.

A document on a meeting's agenda is named for the meeting's date, committee, item and its
own title (``2014-06-10-cabinet-item-1-transformation-and-shared-services.pdf``; appendices
add ``-appendix-a``); a date not yet known reads ``date-tbc``. Documents on no agenda go to
``documents/``. Names are derived, so they change only when the facts they come from do.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass

from .model import Meeting, Project, Unknown

UNPLACED = "documents"
SLUG_LIMIT = 60


@dataclass(frozen=True)
class Placement:
    """Where one document is published and what it is on the agenda."""

    document_id: str
    folder: str
    stem: str
    meeting: str | None = None
    item: int | None = None
    appendix: str | None = None


def slug(text: str, limit: int = SLUG_LIMIT) -> str:
    """``"Transformation & Shared Services"`` → ``"transformation-shared-services"``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            break
        result = candidate
    return result or "untitled"


def meeting_folder(meeting: Meeting) -> str:
    """``2014-06-10-cabinet``, or ``date-tbc-cabinet`` while the date is not known."""
    when = "date-tbc" if isinstance(meeting.date, Unknown) else meeting.date.isoformat()
    return f"{when}-{slug(meeting.body_name)}"


def place_documents(project: Project, titles: dict[str, str]) -> dict[str, Placement]:
    """The placement of every document, given each document's rendered title."""
    placed: dict[str, Placement] = {}
    for meeting_id, meeting in project.meetings.items():
        folder = meeting_folder(meeting)
        for number, item in zip(item_numbers(meeting), meeting.items, strict=True):
            prefix = f"{folder}-item-{number}"
            placed[item.document] = Placement(
                item.document,
                folder,
                f"{prefix}-{slug(titles[item.document])}",
                meeting_id,
                number,
            )
            for letter, appendix in zip(string.ascii_lowercase, item.appendices, strict=False):
                placed[appendix] = Placement(
                    appendix,
                    folder,
                    f"{prefix}-appendix-{letter}-{slug(titles[appendix])}",
                    meeting_id,
                    number,
                    letter.upper(),
                )
    for document_id in project.documents:
        if document_id not in placed:
            placed[document_id] = Placement(document_id, UNPLACED, document_id)
    return placed


def agenda_label(placement: Placement) -> str:
    """``Item 7`` or ``Item 7, appendix A``: where a document sits on its agenda."""
    label = f"Item {placement.item}"
    return label + (f", appendix {placement.appendix}" if placement.appendix else "")


def item_numbers(meeting: Meeting) -> list[int]:
    """Each agenda item's number: its own (``number: 7``), or one more than the item
    before it. The body's opening items (apologies, declarations, minutes) come first,
    numbered from 1, so the first item without a number follows them."""
    numbers: list[int] = []
    last = len(meeting.opening_items())
    for item in meeting.items:
        numbers.append(item.number if item.number is not None else last + 1)
        last = numbers[-1]
    return numbers


def pack_stem(meeting: Meeting) -> str:
    """The pack's file name without suffix: ``2014-06-10-cabinet-pack``."""
    return f"{meeting_folder(meeting)}-pack"
