"""What an output's fingerprint covers beyond its inputs: the software that makes its bytes,
so that an upgrade rebuilds instead of leaving old and new PDFs side by side."""

from __future__ import annotations

import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest

from reportgen import conversion
from reportgen import fingerprint as fingerprints
from reportgen.build import Paths, build
from reportgen.convert import libreoffice_version
from reportgen.fingerprint import BYTE_SHAPING_PACKAGES, environment, fingerprint

from conftest import FAKE_SOFFICE, TEMPLATES

MAIN_XCD = """<?xml version="1.0"?>
<oor:data xmlns:oor="http://openoffice.org/2001/registry">
 <oor:component-schema oor:name="Setup" oor:package="org.openoffice">
  <prop oor:name="ooSetupVersionAboutBox" oor:type="xs:string" oor:nillable="false">
   <value/>
  </prop>
 </oor:component-schema>
 <oor:component-data oor:name="Setup" oor:package="org.openoffice">
  <prop oor:name="ooName">
   <value>LibreOffice</value>
  </prop>
  <prop oor:name="ooSetupVersionAboutBox">
   <value>24.2.7.2</value>
  </prop>
  <prop oor:name="ooSetupVersionAboutBoxSuffix">
   <value/>
  </prop>
 </oor:component-data>
</oor:data>
"""


def installation(root: Path, program: str, registry: str, versionrc: str) -> Path:
    """A LibreOffice installation's files, with an executable that fails the test if run."""
    (root / program).mkdir(parents=True)
    soffice = root / program / "soffice"
    soffice.write_text('#!/bin/sh\necho started >> "$0.ran"\nexit 1\n')
    soffice.chmod(0o755)
    (root / registry).parent.mkdir(parents=True, exist_ok=True)
    (root / registry).write_text(MAIN_XCD)
    (root / versionrc).write_text("[Version]\nbuildid=420(Build:2)\nVendor=Someone\n")
    return soffice


@pytest.mark.parametrize(
    "program, registry, versionrc",
    [
        ("program", "share/registry/main.xcd", "program/versionrc"),  # Linux
        ("program", "share/registry/main.xcd", "program/version.ini"),  # Windows
        ("Contents/MacOS", "Contents/Resources/registry/main.xcd", "Contents/Resources/versionrc"),
    ],
)
def test_libreoffices_version_is_read_from_its_files_without_starting_it(
    tmp_path, program, registry, versionrc
):
    soffice = installation(tmp_path / "lo", program, registry, versionrc)
    link = tmp_path / "bin" / "soffice"  # as /usr/bin/soffice is a link into the installation
    link.parent.mkdir()
    link.symlink_to(soffice)
    assert libreoffice_version(str(link)) == "LibreOffice 24.2.7.2 420(Build:2)"
    assert not soffice.with_name("soffice.ran").exists()


def test_a_libreoffice_without_those_files_is_asked_its_version():
    # The fake is a script with no installation beside it, as a wrapper script would be.
    assert libreoffice_version(str(FAKE_SOFFICE / "crash")) == "LibreOffice 0.0.0.0 fake"


@pytest.mark.libreoffice
def test_the_version_read_from_the_files_is_what_libreoffice_says():
    soffice = shutil.which("soffice")
    assert soffice is not None
    said = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout
    assert libreoffice_version(soffice) == said.strip()


def test_the_environment_names_every_package_that_shapes_the_bytes():
    said = environment()
    for package in BYTE_SHAPING_PACKAGES:
        assert f"{package} {metadata.version(package)}" in said
    assert said.startswith("reportgen ")


def test_a_new_output_revision_changes_every_fingerprint(monkeypatch):
    before = fingerprint({"title": "Report"}, "settings")
    environment.cache_clear()
    monkeypatch.setattr(fingerprints, "OUTPUT_REVISION", fingerprints.OUTPUT_REVISION + 1)
    try:
        assert fingerprint({"title": "Report"}, "settings") != before
    finally:
        monkeypatch.undo()
        environment.cache_clear()


def test_a_package_upgrade_changes_every_fingerprint(monkeypatch):
    before = fingerprint({"title": "Report"}, "settings")
    upgraded = environment().replace("pikepdf ", "pikepdf 99.0 was ")
    monkeypatch.setattr(fingerprints, "environment", lambda: upgraded)
    assert fingerprint({"title": "Report"}, "settings") != before


@pytest.mark.libreoffice
def test_a_libreoffice_upgrade_rebuilds_every_pdf(
    example_build, example_copy, tmp_path, monkeypatch
):
    out = tmp_path / "build"
    shutil.copytree(example_build[0], out)
    monkeypatch.setattr(conversion, "libreoffice_version", lambda soffice: "LibreOffice 99.1.0.0")
    result = build(Paths(example_copy, TEMPLATES, out))
    assert (result.built, result.up_to_date, result.packs_built) == (3, 0, 1)
