"""What an output depends on, reduced to one hash, so an unchanged output is not rebuilt.

A document's fingerprint covers what its template is given (the composed context, so a fact
it does not use cannot change it), the template file, the moment stamped into its PDF, the
converter's settings (with LibreOffice's version, see :meth:`reportgen.plan.Conversion.settings`)
and the software that turns those into bytes (:func:`environment`). Equal fingerprints mean
equal bytes: builds are reproducible, so reusing the previous output is the same as
rebuilding it, and an upgrade of any of that software rebuilds instead of leaving old and new
PDFs side by side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import sys
import zlib
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import __version__
from .view import Function, Record, fields_of, kind_of, text_of

# The Python packages that turn a context and a template into an output's bytes: rendering
# the .docx (docxtpl, and the python-docx, lxml, Jinja and MarkupSafe it renders with) and
# finishing and packing PDFs (pikepdf, whose wheels carry qpdf). Packages that only read the
# inputs (PyYAML, pydantic) need not be here: what they make of the inputs is the context,
# which the fingerprint covers itself. Files made again on every build (index.html,
# timetable.ics) have no fingerprint, so icalendar and holidays need not be here either.
BYTE_SHAPING_PACKAGES = ("docxtpl", "python-docx", "lxml", "jinja2", "markupsafe", "pikepdf")

# Raised whenever reportgen itself starts writing other bytes from the same inputs and the
# same software (between releases, its version alone would not tell), so that the next build
# rebuilds everything instead of keeping outputs written the old way. 2: PDFs saved with
# object streams.
OUTPUT_REVISION = 2


@functools.cache
def environment() -> str:
    """The software every fingerprint covers: reportgen's version and
    :data:`OUTPUT_REVISION`, Python's version, zlib's (which compresses .docx entries) and
    each of :data:`BYTE_SHAPING_PACKAGES`' (read from the installed packages' metadata,
    without importing them)."""
    python = ".".join(map(str, sys.version_info[:3]))
    parts = [
        f"reportgen {__version__} output revision {OUTPUT_REVISION}",
        f"python {python}",
        f"zlib {zlib.ZLIB_RUNTIME_VERSION}",
    ]
    for package in BYTE_SHAPING_PACKAGES:
        try:
            parts.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{package} not installed")
    return "; ".join(parts)


def fingerprint(*parts: Any) -> str:
    """A SHA-256 over ``parts`` and the :func:`environment`; files count by their content."""
    digest = hashlib.sha256()
    digest.update(environment().encode())
    for part in parts:
        digest.update(b"\0")
        if isinstance(part, Path):
            digest.update(file_hash(part).encode())
        else:
            digest.update(json.dumps(part, default=_plain, sort_keys=True).encode())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """JSON for what a template context holds: records, models, views, dates and amounts."""
    if isinstance(value, Record):
        return {"$type": kind_of(value), "$text": text_of(value), **fields_of(value)}
    if isinstance(value, Function):
        return {"$function": repr(value)}
    if isinstance(value, BaseModel):
        return {"$type": type(value).__name__, **value.model_dump(mode="json")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$type": type(value).__name__, **dataclasses.asdict(value)}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"cannot fingerprint {type(value).__name__}")
