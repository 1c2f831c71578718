"""Everything ``reportgen validate`` checks, in pipeline order; ``build`` runs it first.

Inputs are loaded and typed, cross-checked, each report is composed (so prose that refers to
a fact or paragraph that does not exist is caught) and each template is linted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compose import compose_report, context_types
from .diagnostics import Diagnostic, ReportgenError
from .lint import lint_template
from .load import Inputs, load_inputs
from .model import Project, parse_project
from .rules import project_problems


@dataclass
class Checked:
    """The outcome of checking: the model and composed reports if they could be made, and
    every diagnostic, errors and warnings, sorted by file and line."""

    project: Project | None = None
    inputs: Inputs | None = None
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, Path] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def check(inputs_dir: Path, templates_dir: Path) -> Checked:
    """Check inputs and templates; never raises for a problem an author can fix."""
    checked = Checked()
    try:
        checked.inputs = load_inputs(inputs_dir)
        checked.project = parse_project(checked.inputs)
    except ReportgenError as exc:
        checked.diagnostics = exc.diagnostics
        return checked
    project, inputs = checked.project, checked.inputs
    found = project_problems(project, inputs)
    if not any(d.severity == "error" for d in found):
        for report_id, report in project.reports.items():
            try:
                checked.contexts[report_id] = compose_report(project, inputs, report_id)
            except ReportgenError as exc:
                found.extend(exc.diagnostics)
            template = templates_dir / report.template
            if not template.is_file():
                found.append(
                    inputs.diagnostic(
                        ("reports", report_id, "template"),
                        f"template '{report.template}' not found in {templates_dir}",
                    )
                )
                continue
            checked.templates[report_id] = template
    linted = {t: lint_template(t, context_types()) for t in set(checked.templates.values())}
    for problems in linted.values():
        found.extend(problems)
    checked.diagnostics = sorted(set(found))
    return checked


def load_project(inputs_dir: Path) -> tuple[Project, Inputs]:
    """Load, type and cross-check the inputs; raise with every error (warnings are kept
    for :func:`check`)."""
    inputs = load_inputs(inputs_dir)
    project = parse_project(inputs)
    errors = [d for d in project_problems(project, inputs) if d.severity == "error"]
    if errors:
        raise ReportgenError(errors)
    return project, inputs
