"""What an output depends on, reduced to one hash, so an unchanged output is not rebuilt.

A document's fingerprint covers what its template is given (the composed context, so a fact
it does not use cannot change it), the template file, the moment stamped into its PDF, the
converter's settings and reportgen's version. Equal fingerprints mean equal bytes: builds are
reproducible, so reusing the previous output is the same as rebuilding it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import __version__
from .view import Function, Record, fields_of, kind_of, text_of


def fingerprint(*parts: Any) -> str:
    """A SHA-256 over ``parts`` and reportgen's version; files count by their content."""
    digest = hashlib.sha256()
    digest.update(__version__.encode())
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
