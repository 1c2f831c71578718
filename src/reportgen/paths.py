"""Where a build reads and writes: its own module, so that the command line can name them
without loading the rest of reportgen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What a build writes last, describing every output: without it a build is a cold one.
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Paths:
    """Where a build reads and writes."""

    inputs: Path
    templates: Path
    out: Path
