"""``manifest.json``: every output of a build — its path, kind, title, pages, size, sha256,
sources and fingerprint — which is how clerks and scripts find documents, and how the next
build knows what it may reuse."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .fingerprint import file_hash
from .paths import MANIFEST

# Says whose manifest.json this is, so a build never takes over a folder that is not its own.
GENERATOR = "reportgen"


@dataclass
class Output:
    """One file a build produced, as listed in ``manifest.json``."""

    path: str
    kind: str
    format: str
    title: str
    sha256: str
    sources: list[str]
    pages: int | None = None
    meeting: str | None = None
    contents: list[dict[str, Any]] | None = None
    size: int = 0
    fingerprint: str = ""
    # "private": exempt information, under private/, never linked from a public page.
    access: str = "public"


def source_name(root: Path, path: Path, label: str) -> str:
    """``inputs/programmes/x.yaml``: a source as the manifest names it."""
    # Named by role, not by where the directory happens to be, so a copied inputs directory
    # yields the same manifest.
    return f"{label}/{path.relative_to(root).as_posix()}"


def describe(
    staging: Path,
    relative: str,
    kind: str,
    title: str,
    sources: list[str],
    *,
    meeting: str | None = None,
) -> Output:
    """The manifest entry of a file just made in ``staging``."""
    path = staging / relative
    data = path.read_bytes()
    pages = None
    if path.suffix == ".pdf":
        from .pack import page_count  # pikepdf: only once a PDF has been made

        pages = page_count(path)
    return Output(
        path=relative,
        kind=kind,
        format=path.suffix.lstrip("."),
        title=title,
        sha256=hashlib.sha256(data).hexdigest(),
        sources=sources,
        pages=pages,
        meeting=meeting,
        size=len(data),
    )


def manifest_entry(output: Output) -> dict[str, Any]:
    """An output as JSON, leaving out what does not apply to it."""
    entry = asdict(output)
    return {key: value for key, value in entry.items() if value is not None}


def write_manifest(staging: Path, outputs: list[Output]) -> None:
    """Write the manifest of ``outputs`` into ``staging``."""
    manifest = {"generator": GENERATOR, "outputs": [manifest_entry(o) for o in outputs]}
    (staging / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def is_reportgen_manifest(path: Path) -> bool:
    """Whether ``path`` is a manifest a reportgen build wrote (one from before manifests
    named their generator has a list of outputs, each with a path and sha256)."""
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict):
        return False
    if manifest.get("generator") == GENERATOR:
        return True
    outputs = manifest.get("outputs")
    return isinstance(outputs, list) and all(
        isinstance(o, dict) and {"path", "sha256"} <= set(o) for o in outputs
    )


def previous_outputs(out: Path) -> dict[str, dict[str, Any]]:
    """The last build's manifest entries by path (none if there is no readable manifest).

    The manifest sits in a folder people can edit: an entry that is not what a build
    writes (a missing or unknown field, a field of the wrong type) is left out, so its
    output is simply made again."""
    try:
        entries = json.loads((out / MANIFEST).read_text("utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {e["path"]: e for e in entries if _well_formed(e)}


# What each field of a manifest entry holds, as JSON types.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "path": (str,),
    "kind": (str,),
    "format": (str,),
    "title": (str,),
    "sha256": (str,),
    "sources": (list,),
    "pages": (int, type(None)),
    "meeting": (str, type(None)),
    "contents": (list, type(None)),
    "size": (int,),
    "fingerprint": (str,),
    "access": (str,),
}


def _well_formed(entry: Any) -> bool:
    if not isinstance(entry, dict) or not set(entry) <= set(_FIELD_TYPES):
        return False
    required = {f.name for f in dataclasses.fields(Output) if f.default is dataclasses.MISSING}
    if not required <= set(entry):
        return False
    for name, value in entry.items():
        if isinstance(value, bool) or not isinstance(value, _FIELD_TYPES[name]):
            return False
    # A PDF that is reused is counted into its pack by its pages.
    return entry["format"] != "pdf" or isinstance(entry.get("pages"), int)


def still_good(previous: dict[str, dict[str, Any]], out: Path, relative: str, key: str) -> bool:
    """Whether the last build made ``relative`` from the same fingerprint, and the file is
    still there as it was written (a clerk may have edited or deleted it)."""
    entry = previous.get(relative)
    if not entry or entry.get("fingerprint") != key:
        return False
    try:
        return file_hash(out / relative) == entry.get("sha256")
    except OSError:
        return False
