"""JSON Schemas of the input files, for editors (VS Code's YAML extension and others).

Each input file gets the schema of its part of the model: ``meetings.yaml`` that of the
meetings, each file in ``programmes/`` that of :class:`~reportgen.model.Programme`, each
file in ``documents/`` that of a document. An input file names its schema in its first line:

    # yaml-language-server: $schema=../../schemas/programme.schema.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

from pydantic import TypeAdapter

from .model import FACT_SCHEMA, FOLDERS, Project

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, dict[str, Any]]:
    """``{file name: schema}`` for each kind of input file."""
    found = {}
    for name, field in Project.model_fields.items():
        annotation = field.annotation
        if name in FOLDERS:
            # A folder holds one file per entry: the schema is that of one entry.
            annotation = get_args(annotation)[1]
            name = name.removesuffix("s")
        schema = TypeAdapter(annotation).json_schema()
        if "Fact" in schema.get("$defs", {}):
            schema["$defs"]["Fact"] = FACT_SCHEMA
        schema = {
            "$schema": SCHEMA_DIALECT,
            "title": f"reportgen inputs: {name}",
            **schema,
        }
        found[f"{name}.schema.json"] = schema
    return found


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into ``directory``; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, schema in schemas().items():
        path = directory / filename
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
