"""Forward plans: for each council with key decisions coming, the forward plan of key
decisions as .docx and PDF, from ``templates/forward-plan.docx`` (see
:mod:`reportgen.decisions`)."""

from __future__ import annotations

from collections.abc import Callable

from .check import FORWARD_PLAN_TEMPLATE, Checked
from .compose import FORWARD_PLAN_TITLE, compose_forward_plan
from .fingerprint import fingerprint
from .finish import finish_pdf
from .manifest import Output, describe, source_name, still_good
from .plan import LANGUAGE, Conversion, Paths, PlannedDocument, Workspace
from .publish import stage
from .render import Properties, render_docx

FOLDER = "forward-plan"

Log = Callable[[str], None]


def make_forward_plans(
    checked: Checked,
    paths: Paths,
    documents: dict[str, PlannedDocument],
    workspace: Workspace,
    convert: Conversion,
    log: Log,
) -> list[Output]:
    """A forward plan for each council with at least one key decision on an agenda; one
    whose contents and template are unchanged is kept."""
    project = checked.project
    assert project is not None
    template = paths.templates / FORWARD_PLAN_TEMPLATE
    staging = workspace.staging
    outputs: list[Output] = []
    made = {}
    for council_id in sorted(project.organisations):
        context = compose_forward_plan(project, council_id, draft=checked.draft)
        if not context["decisions"]:
            continue
        stem = f"{FOLDER}/{council_id}-forward-plan"
        on_plan = [d for decision in context["decisions"] for d in decision.document_ids]
        sources = sorted(
            {s for d in on_plan for s in documents[d].sources if s.startswith("inputs/")}
            | {source_name(paths.templates, template, "templates")}
        )
        key = fingerprint(context, template, workspace.moment, convert.settings())
        relatives = [f"{stem}.docx", f"{stem}.pdf"]
        if all(still_good(workspace.previous, workspace.out, r, key) for r in relatives):
            outputs += [Output(**workspace.previous[r]) for r in relatives]
            continue
        council = project.organisations[council_id]
        properties = Properties(FORWARD_PLAN_TITLE, LANGUAGE, council.name)
        docx_file = stage(staging / relatives[0], render_docx(template, context, properties))
        made[docx_file] = (relatives, key, sources)
    if not made:
        return outputs
    log(f"converting {len(made)} forward plans")
    pdfs = convert(list(made), staging / ".forward-plans")
    for docx_file, (relatives, key, sources) in made.items():
        pdf = staging / relatives[1]
        pdfs[docx_file].replace(pdf)
        finish_pdf(pdf, workspace.moment)
        for relative in relatives:
            output = describe(staging, relative, "forward-plan", FORWARD_PLAN_TITLE, sources)
            output.fingerprint = key
            outputs.append(output)
    return outputs
