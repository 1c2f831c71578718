"""invoke tasks: thin wrappers over ``python -m reportgen`` and the test tools."""

import os
import shlex
import sys
import tempfile
from pathlib import Path

from invoke import task

from reportgen.cli import main as reportgen


def _run(*args: str) -> None:
    code = reportgen(list(args))
    if code:
        raise SystemExit(code)


@task(
    help={
        "inputs": "inputs directory",
        "out": "output directory",
        "final": "refuse while any fact is not yet known",
        "force": "rebuild every output, even those up to date",
        "jobs": "LibreOffice processes at once (default: one per core)",
        "only": "build one meeting's papers alone (with --final: only its facts must be known)",
    }
)
def build(c, inputs="inputs", out="build", final=False, force=False, jobs=0, only=""):
    """Build every document (.docx, PDF), the packs and build/manifest.json."""
    flags = [*(["--final"] if final else []), *(["--force"] if force else [])]
    flags += ["--jobs", str(jobs)] if jobs else []
    flags += ["--only", only] if only else []
    _run("build", "--inputs", inputs, "--out", out, *flags)


@task(
    help={
        "port": "port on 127.0.0.1 (0: any free port)",
        "jobs": "LibreOffice converters to keep running (default: one per core)",
    }
)
def preview(c, port=8000, jobs=0):
    """Build, serve build/ on 127.0.0.1 and rebuild on every change, until Ctrl-C."""
    _run("preview", "--port", str(port), *(["--jobs", str(jobs)] if jobs else []))


@task(help={"inputs": "inputs directory"})
def validate(c, inputs="inputs"):
    """Check the inputs and list every problem, without building."""
    _run("validate", "--inputs", inputs)


@task
def lint(c):
    """Check the templates without rendering them."""
    _run("lint")


@task
def schema(c):
    """Rewrite the JSON Schemas of the inputs in schemas/."""
    _run("schema")


@task(
    help={
        "base": "git revision (default origin/main, or main)",
        "format": "terminal, markdown or json",
    }
)
def diff(c, base="", format="terminal"):
    """Show what the working tree's changes do to the documents' text."""
    _run("diff", *([base] if base else []), "--format", format)


@task(help={"check": "change nothing; fail if a file is not formatted"})
def fmt(c, check=False):
    """Put the inputs into one canonical layout, keeping comments."""
    _run("fmt", *(["--check"] if check else []))


@task
def test(c):
    """Run the whole test suite (needs LibreOffice and pdftotext)."""
    c.run(f"{sys.executable} -m pytest", pty=False)


@task
def style(c):
    """ruff check and format check on the code."""
    c.run(f"{sys.executable} -m ruff check .")
    c.run(f"{sys.executable} -m ruff format --check .")


@task(
    help={
        "sizes": "programmes to scale the example to, comma-separated",
        "repeat": "runs per figure (the median is shown)",
    }
)
def bench(c, sizes="1,10,50,200", repeat=3):
    """Time cold, no-op and one-fact builds against naive conversion; print a table."""
    c.run(f"{sys.executable} benchmarks/bench.py --sizes {sizes} --repeat {repeat}", pty=False)


@task
def pictures(c):
    """Draw the pack's front (summons, agenda) of the digital-access fixture for the README,
    as docs/pack-summons.png and docs/pack-agenda.png."""
    import json
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "build"
        _run("build", "--inputs", "tests/fixtures/digital-access", "--out", str(out), "--quiet")
        manifest = json.loads((out / "manifest.json").read_text())
        (pack,) = [o for o in manifest["outputs"] if o["kind"] == "pack"]
        Path("docs").mkdir(exist_ok=True)
        for page, name in ((1, "summons"), (2, "agenda")):
            # Small enough to read in the README, and to keep in git.
            c.run(
                f"pdftoppm -r 45 -png -singlefile -f {page} -l {page} "
                f"{out / pack['path']} docs/pack-{name}"
            )


LOCK_FILE = "requirements.lock"
LOCK_HEADER = """\
# Every package reportgen and its development tools install, at the version CI tests
# (scripts/setup.sh installs with these as constraints). Made by `invoke lock` from a fresh
# environment's `pip freeze`: run that after changing the dependencies in pyproject.toml, or
# to take newer versions; do not edit by hand.
"""


@task
def lock(c):
    """Rewrite requirements.lock from what a fresh environment installs for reportgen."""
    with tempfile.TemporaryDirectory(prefix="reportgen-lock-") as folder:
        venv = Path(folder) / "venv"
        c.run(f"{shlex.quote(sys.executable)} -m venv {shlex.quote(str(venv))}")
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        pip = f"{shlex.quote(str(python))} -m pip"
        c.run(f"{pip} install --quiet --upgrade pip")
        # Editable, as scripts/setup.sh installs it, so that the freeze can leave reportgen out.
        c.run(f"{pip} install --quiet -e '.[dev]'")
        frozen = c.run(f"{pip} freeze --exclude-editable", hide=True).stdout
    pins = sorted(
        (line.strip() for line in frozen.splitlines() if "==" in line),
        key=lambda pin: pin.split("==")[0].lower(),
    )
    Path(LOCK_FILE).write_text(LOCK_HEADER + "\n".join(pins) + "\n", encoding="utf-8")
    print(f"wrote {LOCK_FILE}: {len(pins)} packages")
