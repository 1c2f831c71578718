"""Publishing a build, all or nothing.

A build makes every file in a staging folder beside the outputs. Publishing then moves each
old output aside into a folder of previous files, moves the new one into place, and moves
``manifest.json`` last: that rename is the moment the build takes effect. A file whose bytes
are those already in place is not moved at all, so a build that changed nothing touches
nothing (a clerk's sync tool sees no new modification time to upload). Any failure before
it puts every old file back. A journal written before the first move says what is being
done, so that if the build itself is killed, the next build (which takes the same lock)
finishes or undoes the publication before it reads the manifest.

Everything reportgen keeps in the output folder has a name beginning ``.reportgen``: only
those are ever swept away, never a file of the user's.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from .diagnostics import PublishedThenInterrupted, PublishError, ReportgenError
from .manifest import MANIFEST, is_reportgen_manifest
from .processes import lock_file, stop_processes_using, unlock_file

LOCK = ".reportgen.lock"
STAGING_PREFIX = ".reportgen-staging-"
PREVIOUS_PREFIX = ".reportgen-previous-"
JOURNAL = ".reportgen-publishing.json"
OWN_PREFIX = ".reportgen"


@dataclass
class Plan:
    """What one publication does, as the journal records it."""

    previous: str
    made: list[str]
    existed: list[str]
    superseded: list[str]
    manifest_sha256: str
    # The staging folder the new files come from: while the new manifest is still there,
    # the publication has not taken effect. (Empty in a journal from before it was kept.)
    staging: str = ""


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on ``out`` so two builds never interleave their files."""
    with (out / LOCK).open("a") as handle:
        if not lock_file(handle):
            raise ReportgenError(
                f"{out}: another reportgen build is writing here; wait for it to finish"
            )
        try:
            yield
        finally:
            unlock_file(handle)


def claim(out: Path, *, adopt: bool = False) -> None:
    """Refuse an output folder that holds someone else's files: one with a ``manifest.json``
    reportgen did not write, or (unless ``adopt``) files but no manifest at all. Builds
    replace and remove files there, so a mistyped ``--out`` must not reach a user's folder."""
    if not out.is_dir():
        return
    manifest = out / MANIFEST
    if os.path.lexists(manifest):
        if not is_reportgen_manifest(manifest):
            raise ReportgenError(
                f"{manifest}: not a manifest reportgen wrote, so {out} is not a reportgen output "
                "folder and the build would overwrite it; choose another --out"
            )
        return
    theirs = [p.name for p in out.iterdir() if not p.name.startswith(OWN_PREFIX)]
    if theirs and not adopt:
        shown = ", ".join(sorted(theirs)[:3]) + (", ..." if len(theirs) > 3 else "")
        raise ReportgenError(
            f"{out}: holds files a reportgen build did not make ({shown}); choose an empty "
            "or new --out, or pass --into-existing to build among them"
        )


def recover(out: Path) -> None:
    """Finish or undo a publication that a killed build left half done, and clear the
    staging and previous-file folders it left (hold the lock: no other build is live)."""
    journal = out / JOURNAL
    if journal.exists():
        try:
            plan = Plan(**json.loads(journal.read_text("utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise ReportgenError(
                f"{journal}: an interrupted build left this record of what it was publishing, "
                f"and it cannot be read ({exc}); compare {out} with its manifest.json, then "
                "delete the record"
            ) from None
        if not _took_effect(out, plan):
            _roll_back(out, plan)
        journal.unlink()
    for stale in out.glob(STAGING_PREFIX + "*"):
        stop_processes_using(stale)
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.glob(PREVIOUS_PREFIX + "*"):
        shutil.rmtree(stale, ignore_errors=True)


def _took_effect(out: Path, plan: Plan) -> bool:
    """Whether the publication the journal records got as far as moving its manifest in.
    The staged manifest still being in staging says it did not, even when the manifest in
    place has the same bytes (a build that only put back outputs deleted by hand)."""
    if plan.staging and os.path.lexists(out / plan.staging / plan.made[-1]):
        return False
    return _sha256(out / plan.made[-1]) == plan.manifest_sha256


def stage(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` in the staging directory, making its folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def publish(staging: Path, out: Path, made: list[str], superseded: set[str]) -> list[str]:
    """Move the files ``made`` (``manifest.json`` last) from ``staging`` into ``out`` and
    remove the outputs of an earlier build listed in ``superseded``; all or nothing.

    A file whose bytes are already in place is left as it is, not replaced by a copy; the
    manifest is moved in whenever anything else changes, since that move is the moment the
    publication takes effect. Returns the superseded paths left alone because they are no
    longer files reportgen wrote (a folder, say). On failure every previous output is back
    in place and the error is raised; if even that fails, :class:`PublishError` says so.
    """
    _refuse_to_replace_folders(out, made)
    removable = [r for r in sorted(superseded) if _removable(out, r)]
    # One a user has deleted already is simply gone; one that is now a folder stays.
    kept = [r for r in sorted(superseded) if os.path.lexists(out / r) and r not in removable]
    *files, manifest = made
    changed = [r for r in files if not _same_bytes(staging / r, out / r)]
    if not changed and not removable and _same_bytes(staging / manifest, out / manifest):
        return kept
    made = [*changed, manifest]
    previous = Path(tempfile.mkdtemp(prefix=PREVIOUS_PREFIX, dir=out))
    plan = Plan(
        previous=previous.name,
        made=made,
        existed=[r for r in made if os.path.lexists(out / r)],
        superseded=removable,
        manifest_sha256=_sha256(staging / manifest),
        staging=os.path.relpath(staging, out),
    )
    try:
        _write_journal(out, plan)
    except BaseException:
        shutil.rmtree(previous, ignore_errors=True)
        (out / (JOURNAL + ".new")).unlink(missing_ok=True)
        raise
    with _signals_held():
        try:
            _move_into_place(staging, out, previous, plan)
        except BaseException as exc:
            try:
                _roll_back(out, plan)
                (out / JOURNAL).unlink()
            except OSError as failure:
                raise PublishError(
                    f"{out}: publishing failed ({exc}) and the previous outputs could not all "
                    f"be put back ({failure}); they are in {previous}, and the next build "
                    "puts them back"
                ) from exc
            raise
    (out / JOURNAL).unlink()
    shutil.rmtree(previous, ignore_errors=True)
    for relative in removable:
        _remove_empty_parents(out, out / relative)
    return kept


def _move_into_place(staging: Path, out: Path, previous: Path, plan: Plan) -> None:
    existed = set(plan.existed)
    for relative in plan.superseded:
        _move(out / relative, previous / relative)
    for relative in plan.made:
        target = out / relative
        if relative in existed:
            _move(target, previous / relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)


def _roll_back(out: Path, plan: Plan) -> None:
    """Put back every previous output the plan moved aside and remove the new files it
    placed where there was none; what it never reached is as it was."""
    previous = out / plan.previous
    existed = set(plan.existed)
    for relative in [*reversed(plan.made), *plan.superseded]:
        target = out / relative
        kept = previous / relative
        if os.path.lexists(kept):
            os.replace(kept, target)
        elif relative not in existed and relative in plan.made and os.path.lexists(target):
            target.unlink()
    for relative in plan.made:
        if relative not in existed:
            _remove_empty_parents(out, out / relative)
    shutil.rmtree(previous, ignore_errors=True)


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _refuse_to_replace_folders(out: Path, made: list[str]) -> None:
    for relative in made:
        target = out / relative
        if target.is_dir() and not target.is_symlink():
            raise ReportgenError(
                f"{target}: is a folder, where the build puts a file; move it elsewhere"
            )


def _same_bytes(new: Path, current: Path) -> bool:
    """Whether ``current`` is a plain file (not a link) holding exactly ``new``'s bytes, so
    that leaving it in place is the same as replacing it."""
    try:
        if current.is_symlink() or not current.is_file():
            return False
        if current.stat().st_size != new.stat().st_size:
            return False
        return filecmp.cmp(new, current, shallow=False)
    except OSError:
        return False


def _removable(out: Path, relative: str) -> bool:
    """Whether an output an earlier build listed is still a file (or link) in ``out`` that
    the build may take away; a link is removed, never followed."""
    target = out / relative
    if not os.path.lexists(target):
        return False
    inside = os.path.realpath(target.parent)
    root = os.path.realpath(out)
    if inside != root and not inside.startswith(root + os.sep):
        return False
    return target.is_symlink() or target.is_file()


def _remove_empty_parents(out: Path, target: Path) -> None:
    parent = target.parent
    with contextlib.suppress(OSError):
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent


def _write_journal(out: Path, plan: Plan) -> None:
    """Write the journal durably before the first move: a crash after any move must find it."""
    temporary = out / (JOURNAL + ".new")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(asdict(plan), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, out / JOURNAL)
    _sync_folder(out)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the moves are done or undone (a fraction of a second):
    stopping half way is what the moves must never do. A signal that came meanwhile is
    raised afterwards as :class:`PublishedThenInterrupted` if the moves succeeded."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    held = {signal.SIGINT, signal.SIGTERM}
    previous = {s: signal.signal(s, lambda signum, frame: arrived.append(signum)) for s in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if arrived:
        raise PublishedThenInterrupted
