"""Failures outside the author's inputs: a full disk, a read-only output, an unreadable
file, a bug. Each gives one line, a non-zero exit and no traceback, and loses nothing."""

from __future__ import annotations

import errno
import os
import pathlib
import tempfile

from reportgen import cli, publish

from conftest import EXAMPLE_INPUTS, snapshot


def build(out: pathlib.Path, *extra: str) -> int:
    arguments = ["build", "--force", "--inputs", str(EXAMPLE_INPUTS), "--out", str(out)]
    return cli.main([*extra, *arguments])


def test_a_full_disk_is_one_line_and_the_previous_outputs_survive(
    previous_build, monkeypatch, capsys
):
    before = snapshot(previous_build)

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(pathlib.Path, "write_bytes", full)
    assert build(previous_build) == cli.EXIT_ERRORS
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("reportgen: error: ")
    assert "disk full; nothing in the output was changed" in line
    assert snapshot(previous_build) == before
    assert not list(previous_build.glob(".reportgen-*"))


def test_a_read_only_output_directory_is_one_line(previous_build, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system", str(previous_build))

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    assert build(previous_build) == cli.EXIT_ERRORS
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (
        f"reportgen: error: {previous_build}: Read-only file system; "
        "nothing in the output was changed"
    )


def test_a_file_that_cannot_be_replaced_half_way_through_publishing_changes_nothing(
    previous_build, monkeypatch, capsys
):
    before = snapshot(previous_build)
    real_replace = os.replace
    moves = []

    def busy(source, target):
        moves.append(target)
        if len(moves) == 4:
            raise PermissionError(errno.EBUSY, "Device or resource busy", str(target))
        real_replace(source, target)

    monkeypatch.setattr(publish.os, "replace", busy)
    assert build(previous_build) == cli.EXIT_ERRORS
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("Device or resource busy; nothing in the output was changed")
    assert snapshot(previous_build) == before
    assert not list(previous_build.glob(".reportgen-*-*"))


def test_an_unreadable_input_file_is_named(example_copy, monkeypatch, capsys):
    real_read_bytes = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == "transformation.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    assert cli.main(["validate", "--inputs", str(example_copy)]) == cli.EXIT_ERRORS
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0] == f"{example_copy / 'programmes' / 'transformation.yaml'}: error: cannot read: "
        "Permission denied"
    )


def test_a_bug_is_reported_in_one_line_without_a_traceback(monkeypatch, capsys, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("something impossible")

    monkeypatch.setattr("reportgen.check.compose", broken)
    assert build(tmp_path / "out") == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip() == (
        "reportgen: internal error: RuntimeError: something impossible "
        "(run with --debug for details and report it)"
    )


def test_debug_shows_the_traceback_of_a_bug(monkeypatch, capsys, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("something impossible")

    monkeypatch.setattr("reportgen.check.compose", broken)
    assert build(tmp_path / "out", "--debug") == cli.EXIT_INTERNAL
    assert "Traceback" in capsys.readouterr().err
