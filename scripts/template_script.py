"""The command line every ``make_*_template.py`` script shares: make each template the first
time, and never overwrite one (it is edited by hand from then on) unless ``--force``. Each
is slimmed as it is made (:mod:`slim_template`): python-docx's default document brings
styles no template uses, which LibreOffice would read again for every document."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from slim_template import slim


def make_templates(
    description: str, makers: dict[Path, Callable[[Path], None]], argv: list[str] | None
) -> int:
    """Run the script: make each template in ``makers`` that does not exist yet."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--force", action="store_true", help="overwrite the templates")
    args = parser.parse_args(argv)
    for path, make in makers.items():
        if path.exists() and not args.force:
            print(f"{path} exists; it is edited by hand now (use --force to start again)")
            continue
        make(path)
        slim(path)
        print(f"wrote {path}")
    return 0
