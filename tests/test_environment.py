"""The environment CI tests is pinned: requirements.lock names every package at one version,
`invoke lock` makes it, and the set-up installs from it."""

from __future__ import annotations

import re
import tomllib

from reportgen.fingerprint import BYTE_SHAPING_PACKAGES

from conftest import ROOT

LOCK = ROOT / "requirements.lock"


def normalised(name: str) -> str:
    """A package name as the package index compares names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    lines = [line for line in LOCK.read_text("utf-8").splitlines() if not line.startswith("#")]
    found: dict[str, str] = {}
    for line in lines:
        name, equals, version = line.partition("==")
        assert equals and re.fullmatch(r"[A-Za-z0-9._-]+", name) and version, line
        assert normalised(name) not in found, f"{name} is pinned twice"
        found[normalised(name)] = version
    return found


def test_the_lock_pins_every_dependency_reportgen_and_its_tools_declare():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {normalised(re.match(r"[A-Za-z0-9._-]+", d).group()) for d in declared}
    assert names - set(pins()) == set(), "run invoke lock"


def test_the_lock_pins_every_package_whose_version_is_in_the_fingerprints():
    assert {normalised(p) for p in BYTE_SHAPING_PACKAGES} - set(pins()) == set()


def test_the_lock_leaves_reportgen_itself_to_the_set_up():
    assert "reportgen" not in pins()


def test_the_set_up_installs_the_locked_versions():
    setup = (ROOT / "scripts" / "setup.sh").read_text("utf-8")
    installs = [line for line in setup.splitlines() if "pip install" in line and "-e" in line]
    assert installs == [
        ".venv/bin/python -m pip install --quiet --constraint requirements.lock -e '.[dev]'"
    ]
