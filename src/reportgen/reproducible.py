"""Same inputs, same bytes: what LibreOffice stamps with the current time is pinned.

LibreOffice writes the conversion time into a PDF's document information, its XMP metadata
and the header of the sRGB output-intent profile it embeds for PDF/A, and a random file ID.
Each is replaced by a moment taken from the inputs (or ``SOURCE_DATE_EPOCH``), and the ID is
derived from the content, so two builds of the same commit are byte-identical. The PDF/A
identification and the structure tree are left as they are.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Name, String

# Where an ICC profile header keeps its creation time: six big-endian 16-bit numbers.
ICC_DATE = slice(24, 36)
ICC_PROFILE_ID = slice(84, 100)


def source_moment(data: Any) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` if set, else midnight (UTC) of the latest date in the inputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    dates = list(_dates(data))
    latest = max(dates) if dates else dt.date(2000, 1, 1)
    return dt.datetime.combine(latest, dt.time(), dt.UTC)


def _dates(node: Any) -> Iterator[dt.date]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _dates(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dates(value)
    elif isinstance(node, dt.date):
        yield node


def normalise_pdf(path: Path, moment: dt.datetime) -> None:
    """Rewrite ``path`` in place with its dates set to ``moment`` and a content-derived ID."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as metadata:
            for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                metadata[key] = iso
        stamp = String(moment.strftime("D:%Y%m%d%H%M%SZ"))
        pdf.docinfo[Name.CreationDate] = stamp
        pdf.docinfo[Name.ModDate] = stamp
        for intent in pdf.Root.get("/OutputIntents", []):
            profile = intent.get("/DestOutputProfile")
            if profile is not None:
                _pin_profile_date(profile, moment)
        # LibreOffice's own checksum of the file covers the times replaced above, and its
        # file ID is random.
        for key in ("/DocChecksum", "/ID"):
            if key in pdf.trailer:
                del pdf.trailer[key]
        pdf.save(path, deterministic_id=True)


def _pin_profile_date(profile: pikepdf.Stream, moment: dt.datetime) -> None:
    data = bytearray(profile.read_bytes())
    if len(data) < ICC_PROFILE_ID.stop:
        return
    data[ICC_DATE] = struct.pack(
        ">6H", moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )
    # A profile ID is an MD5 that covers the date; LibreOffice leaves it zero, meaning
    # "not computed", and so do we, rather than leave one that no longer matches.
    data[ICC_PROFILE_ID] = bytes(16)
    profile.write(zlib.compress(bytes(data), 9), filter=Name.FlateDecode)
