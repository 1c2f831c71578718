"""Publishing a build: a lock so two builds never interleave, a staging directory beside the
outputs, finished files moved into place with ``os.replace`` (the manifest last), and the
outputs a previous build listed that this one no longer makes removed."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .diagnostics import ReportgenError

LOCK = ".reportgen.lock"
STAGING_PREFIX = ".staging-"


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on ``out`` so two builds never interleave their files."""
    with (out / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReportgenError(
                f"{out}: another reportgen build is writing here; wait for it to finish"
            ) from None
        yield


def remove_stale_staging(out: Path) -> None:
    """Staging directories left by a build that was killed (we hold the lock: none is live)."""
    for stale in out.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` in the staging directory, making its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def publish(staging: Path, out: Path, relatives: list[str]) -> None:
    """Move finished files from ``staging`` into ``out``, the manifest last."""
    for relative in relatives:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)


def remove_superseded(out: Path, relatives: set[str]) -> None:
    """Delete outputs of an earlier build that this one no longer makes, and their empty
    folders; only files a manifest listed, never anything else in ``out``."""
    for relative in sorted(relatives):
        target = out / relative
        if out.resolve() in target.resolve().parents:
            target.unlink(missing_ok=True)
            parent = target.parent
            while parent != out and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
