"""``reportgen build|validate``: the command line. ``tasks.py`` calls the same functions."""

from __future__ import annotations

import argparse
import errno
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .build import Paths, build, load_project
from .convert import DEFAULT_TIMEOUT
from .diagnostics import ReportgenError

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportgen",
        description="Build council reports, bids and packs from YAML inputs.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show a Python traceback on unexpected errors"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--inputs", type=Path, default=Path("inputs"), help="default: inputs/")
        return sub

    build_cmd = add("build", "render every document to .docx and PDF, and write the manifest")
    build_cmd.add_argument("--out", type=Path, default=Path("build"), help="default: build/")
    build_cmd.add_argument(
        "--templates", type=Path, default=Path("templates"), help="default: templates/"
    )
    build_cmd.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds LibreOffice may take (default {DEFAULT_TIMEOUT:g})",
    )
    build_cmd.add_argument("--quiet", action="store_true", help="print only problems")
    add("validate", "check the inputs and report every problem, without building")
    return parser


def run_build(
    inputs: Path, out: Path, templates: Path, *, timeout: float = DEFAULT_TIMEOUT, quiet: bool
) -> int:
    """Build and print what was built; the exit code for the command line."""
    log = (lambda message: None) if quiet else (lambda message: print(message, flush=True))
    result = build(Paths(inputs, templates, out), timeout=timeout, log=log)
    if not quiet:
        for output in result.outputs:
            pages = f", {output.pages} pages" if output.pages else ""
            print(f"  {out / output.path}  ({output.kind}{pages})")
        manifest = out / "manifest.json"
        print(f"built {len(result.outputs)} files in {result.seconds:.1f} s; see {manifest}")
    return EXIT_OK


def run_validate(inputs: Path) -> int:
    """Check the inputs; print ``ok`` or raise with every diagnostic."""
    project, loaded = load_project(inputs)
    print(f"{inputs}: ok ({len(loaded.files)} files, {len(project.reports)} reports)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``reportgen`` and ``python -m reportgen``."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return run_build(
                args.inputs, args.out, args.templates, timeout=args.timeout, quiet=args.quiet
            )
        return run_validate(args.inputs)
    except ReportgenError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        count = len(exc.diagnostics)
        print(f"{count} problem{'s' if count != 1 else ''}; nothing was changed", file=sys.stderr)
        return EXIT_ERRORS
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        where = f"{exc.filename}: " if exc.filename else ""
        print(
            f"reportgen: error: {where}{reason}; the previous outputs are unchanged",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    except KeyboardInterrupt:
        print("reportgen: interrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
