"""JSON Schemas for editors: committed, current, and agreeing with the model."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
import yaml

from reportgen.schema import schemas, write_schemas

from conftest import EXAMPLE_INPUTS, ROOT

SCHEMA_OF = {
    "organisations.yaml": "organisations.schema.json",
    "programmes/transformation.yaml": "programme.schema.json",
    "meetings.yaml": "meetings.schema.json",
    "documents/cabinet-report.yaml": "document.schema.json",
}


def as_json(value):
    """YAML data as an editor's YAML extension sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_committed_schemas_are_current(tmp_path):
    write_schemas(tmp_path)
    for path in sorted(tmp_path.iterdir()):
        committed = ROOT / "schemas" / path.name
        assert committed.read_text() == path.read_text(), (
            f"schemas/{path.name} is out of date: run python -m reportgen schema"
        )


@pytest.mark.parametrize(("input_file", "schema_file"), SCHEMA_OF.items())
def test_every_example_input_names_its_schema_and_passes_it(input_file, schema_file):
    path = EXAMPLE_INPUTS / input_file
    first_line = path.read_text().splitlines()[0]
    assert first_line.startswith("# yaml-language-server: $schema=")
    assert (path.parent / first_line.split("=", 1)[1]).resolve() == ROOT / "schemas" / schema_file
    data = as_json(yaml.safe_load(path.read_text()))
    jsonschema.validate(data, schemas()[schema_file])


def test_the_schema_flags_a_misspelt_key_and_money_as_words():
    data = as_json(
        yaml.safe_load((EXAMPLE_INPUTS / "programmes" / "transformation.yaml").read_text())
    )
    data["councls"] = data.pop("councils")
    with pytest.raises(jsonschema.ValidationError, match="'councls' was unexpected"):
        jsonschema.validate(data, schemas()["programme.schema.json"])
    data["councils"] = data.pop("councls")
    data["facts"]["fund"]["total"] = {"money": [1, 2, 3]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schemas()["programme.schema.json"])
