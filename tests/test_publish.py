"""Publishing is all or nothing: whatever fails, and wherever the build is stopped, the
output folder holds either every previous output or every new one, and its manifest
describes the files that are there."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reportgen import processes
from reportgen import produce as build_module
from reportgen import publish as publishing
from reportgen.build import Paths, build
from reportgen.diagnostics import ReportgenError
from reportgen.publish import (
    JOURNAL,
    LOCK,
    PublishedThenInterrupted,
    claim,
    publish,
    recover,
)

from conftest import EXAMPLE_INPUTS, TEMPLATES

OLD = {
    "manifest.json": b'{"generator": "reportgen", "outputs": []}',
    "a/report.pdf": b"old report",
    "a/report.docx": b"old docx",
    "gone/old.pdf": b"an output the new build no longer makes",
}
NEW = {
    "a/report.pdf": b"new report",
    "a/report.docx": b"new docx",
    "b/added.pdf": b"a new output",
    "manifest.json": b'{"generator": "reportgen", "outputs": ["new"]}',
}


def write(folder: Path, files: dict[str, bytes]) -> None:
    for relative, data in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(".reportgen")
    }


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """An output folder holding a previous build, and a staging folder inside it holding
    the next one."""
    out = tmp_path / "out"
    write(out, OLD)
    staging = out / ".reportgen-staging-test"
    write(staging, NEW)
    return out, staging


def run_publish(out: Path, staging: Path) -> list[str]:
    return publish(staging, out, list(NEW), {"gone/old.pdf"})


def test_publishing_replaces_the_outputs_and_removes_superseded_ones(folders):
    out, staging = folders
    assert run_publish(out, staging) == []
    assert snapshot(out) == NEW
    assert not (out / "gone").exists()
    assert not list(out.glob(".reportgen-previous-*"))
    assert not (out / JOURNAL).exists()


# The journal's own rename, then eight moves: one superseded output aside, three previous
# outputs aside and four new files in, the manifest last.
MOVES = 9


@pytest.mark.parametrize("failing_move", range(1, MOVES + 1))
def test_a_failure_at_any_move_puts_every_previous_output_back(folders, monkeypatch, failing_move):
    out, staging = folders
    real_replace = os.replace
    moves = []

    def replace(source, target):
        moves.append(target)
        if len(moves) == failing_move:
            raise PermissionError(13, "Permission denied", str(target))
        real_replace(source, target)

    monkeypatch.setattr(publishing.os, "replace", replace)
    with pytest.raises(PermissionError):
        run_publish(out, staging)
    monkeypatch.undo()
    assert snapshot(out) == OLD
    assert not (out / "b").exists(), "a folder made for a new output stayed behind"
    assert not (out / JOURNAL).exists()
    assert not list(out.glob(".reportgen-previous-*"))


def test_a_folder_where_an_output_goes_is_refused_before_anything_moves(folders):
    out, staging = folders
    (out / "b" / "added.pdf").mkdir(parents=True)
    with pytest.raises(ReportgenError, match="is a folder, where the build puts a file"):
        run_publish(out, staging)
    assert snapshot(out) == OLD


def test_a_superseded_output_that_became_a_folder_is_left_alone_and_named(folders):
    out, staging = folders
    (out / "gone" / "old.pdf").unlink()
    (out / "gone" / "old.pdf").mkdir()
    (out / "gone" / "old.pdf" / "clerk-notes.txt").write_text("mine")
    assert run_publish(out, staging) == ["gone/old.pdf"]
    assert (out / "gone" / "old.pdf" / "clerk-notes.txt").read_text() == "mine"


def test_a_superseded_output_already_deleted_is_no_warning(folders):
    out, staging = folders
    (out / "gone" / "old.pdf").unlink()
    assert run_publish(out, staging) == []
    assert snapshot(out) == NEW


def test_a_superseded_output_that_became_a_symlink_loop_is_removed_not_followed(folders):
    out, staging = folders
    (out / "gone" / "old.pdf").unlink()
    (out / "gone" / "old.pdf").symlink_to("old.pdf")
    assert run_publish(out, staging) == []
    assert not os.path.lexists(out / "gone" / "old.pdf")


def test_ctrl_c_during_the_moves_is_held_until_they_are_done(folders, monkeypatch):
    out, staging = folders
    real_replace = os.replace
    moves = []

    def replace(source, target):
        moves.append(target)
        if len(moves) == 3:  # the journal is written, and one output moved aside
            os.kill(os.getpid(), signal.SIGINT)
        real_replace(source, target)

    monkeypatch.setattr(publishing.os, "replace", replace)
    with pytest.raises(PublishedThenInterrupted):
        run_publish(out, staging)
    monkeypatch.undo()
    assert snapshot(out) == NEW


KILLED_PUBLISH = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from reportgen import publish as publishing

    out, staging, die_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    real_replace, moves = os.replace, []

    def replace(source, target):
        moves.append(target)
        if len(moves) == die_at:
            os._exit(9)  # as kill -9 would: no clean-up, no roll back
        real_replace(source, target)
        if die_at == 0 and Path(target) == out / "manifest.json":
            os._exit(9)  # just after the manifest moved: published, not yet tidied

    publishing.os.replace = replace
    publishing.publish(staging, out, {made!r}, {{"gone/old.pdf"}})
    """
)


@pytest.mark.parametrize("killed_at", [*range(2, MOVES + 1), 0])
def test_the_next_build_finishes_or_undoes_a_publication_killed_half_way(folders, killed_at):
    out, staging = folders
    script = KILLED_PUBLISH.format(made=list(NEW))
    subprocess.run(
        [sys.executable, "-c", script, str(out), str(staging), str(killed_at)], check=False
    )
    recover(out)
    after = snapshot(out)
    # Killed before the manifest moved, the previous outputs come back; after it, the new
    # ones stay.
    assert after == (NEW if killed_at == 0 else OLD)
    assert not (out / JOURNAL).exists()
    assert not list(out.glob(".reportgen-*-*"))


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and modification time: a file replaced, even by the same bytes,
    gets a new one."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(".reportgen")
    }


def test_an_output_whose_bytes_are_unchanged_is_left_in_place(folders):
    out, staging = folders
    write(staging, {"a/report.docx": OLD["a/report.docx"]})
    before = identities(out)
    run_publish(out, staging)
    after = identities(out)
    assert after["a/report.docx"] == before["a/report.docx"]
    assert after["a/report.pdf"] != before["a/report.pdf"]
    assert snapshot(out) == {**NEW, "a/report.docx": OLD["a/report.docx"]}


def test_publishing_what_is_already_there_touches_nothing(tmp_path):
    out = tmp_path / "out"
    write(out, NEW)
    staging = out / ".reportgen-staging-test"
    write(staging, NEW)
    before = identities(out)
    assert publish(staging, out, list(NEW), set()) == []
    assert identities(out) == before
    assert not (out / JOURNAL).exists()
    assert not list(out.glob(".reportgen-previous-*"))


def test_a_link_in_place_of_an_output_is_replaced_even_if_it_points_at_the_same_bytes(folders):
    out, staging = folders
    (out / "elsewhere.pdf").write_bytes(NEW["a/report.pdf"])
    (out / "a" / "report.pdf").unlink()
    (out / "a" / "report.pdf").symlink_to(out / "elsewhere.pdf")
    run_publish(out, staging)
    assert not (out / "a" / "report.pdf").is_symlink()
    assert (out / "a" / "report.pdf").read_bytes() == NEW["a/report.pdf"]


# Killed with one output moved aside, or just after the manifest moved.
@pytest.mark.parametrize("killed_at", [3, 0])
def test_a_killed_publication_whose_manifest_is_unchanged_is_still_undone(tmp_path, killed_at):
    # An output deleted by hand is made again with the bytes the manifest already lists, so
    # the manifest in place looks like the new one before it has moved.
    out = tmp_path / "out"
    write(out, {**OLD, "manifest.json": NEW["manifest.json"]})
    (out / "a" / "report.pdf").unlink()
    staging = out / ".reportgen-staging-test"
    write(staging, NEW)
    script = KILLED_PUBLISH.format(made=list(NEW))
    subprocess.run(
        [sys.executable, "-c", script, str(out), str(staging), str(killed_at)], check=False
    )
    recover(out)
    if killed_at == 0:
        assert snapshot(out) == NEW
    else:
        assert snapshot(out) == {
            k: v
            for k, v in {**OLD, "manifest.json": NEW["manifest.json"]}.items()
            if k != "a/report.pdf"
        }
    assert not (out / JOURNAL).exists()


def test_staging_folders_of_other_programs_are_not_swept(tmp_path):
    out = tmp_path / "out"
    (out / ".staging-website").mkdir(parents=True)
    (out / ".reportgen-staging-dead").mkdir()
    recover(out)
    assert (out / ".staging-website").is_dir()
    assert not (out / ".reportgen-staging-dead").exists()


def test_an_empty_or_new_folder_is_a_fine_output_folder(tmp_path):
    claim(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / LOCK).touch()
    claim(tmp_path / "empty")


def test_a_folder_of_someone_elses_files_is_refused(tmp_path):
    (tmp_path / "website.html").write_text("<p>mine</p>")
    with pytest.raises(ReportgenError, match=r"website\.html.*--into-existing"):
        claim(tmp_path)
    claim(tmp_path, adopt=True)


def test_a_manifest_reportgen_did_not_write_is_never_overwritten(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"name": "my-web-app", "icons": []}))
    with pytest.raises(ReportgenError, match="not a manifest reportgen wrote"):
        claim(tmp_path, adopt=True)


def test_the_previous_manifest_is_read_only_under_the_lock(tmp_path, monkeypatch):
    out = tmp_path / "out"
    held = []

    def previous_outputs(folder):
        with (folder / LOCK).open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
            except BlockingIOError:
                held.append(True)
        raise KeyboardInterrupt  # far enough: no need to convert anything

    monkeypatch.setattr(build_module, "previous_outputs", previous_outputs)
    with pytest.raises(KeyboardInterrupt):
        build(Paths(EXAMPLE_INPUTS, TEMPLATES, out))
    assert held == [True]


class FakeMsvcrt:
    """Windows' msvcrt.locking, as far as the lock uses it: a byte range of a file locked
    at most once at a time, OSError for a second try."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self):
        self.held: set[tuple[int, int]] = set()

    def locking(self, descriptor: int, mode: int, length: int) -> None:
        region = (os.fstat(descriptor).st_ino, os.lseek(descriptor, 0, os.SEEK_CUR))
        if mode == self.LK_UNLCK:
            self.held.remove(region)
        elif region in self.held:
            raise PermissionError(13, "Permission denied")
        else:
            self.held.add(region)


def test_without_fcntl_the_lock_is_windows_and_still_keeps_a_second_build_out(
    tmp_path, monkeypatch
):
    msvcrt = FakeMsvcrt()
    monkeypatch.setattr(processes, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    with publishing.exclusive(tmp_path):
        second = pytest.raises(ReportgenError, match="another reportgen build is writing here")
        with second, publishing.exclusive(tmp_path):
            pass
        assert len(msvcrt.held) == 1
    assert msvcrt.held == set()
    with publishing.exclusive(tmp_path):  # released, so the next build may go ahead
        pass
