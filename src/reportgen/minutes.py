"""The record of decisions: once a meeting is held, what it resolved on each report, minuted
as the council numbers its minutes, and the rules a meeting's recorded outcomes keep.

A meeting's ``outcomes`` give, for each report (by id), each recommendation's outcome:
agreed, agreed as amended (with the wording agreed), deferred or not agreed (with the
reason), the reasons for the decision and any interests declared. The record reads as
minutes do: "Resolved – (a) That …".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .decisions import recommendation_views
from .diagnostics import Diagnostic, Severity, did_you_mean
from .load import Inputs, KeyPath
from .model import Interest, Project, Report

OUTCOME_LABELS = {
    "agreed": "Agreed",
    "agreed-as-amended": "Agreed as amended",
    "deferred": "Deferred",
    "not-agreed": "Not agreed",
}


@dataclass(frozen=True)
class RecordedRecommendation:
    """A recommendation and what became of it, as a meeting's page shows it."""

    text: str
    outcome: str
    wording: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Resolution:
    """One thing resolved, lettered as minutes letter them: (a), (b), …"""

    letter: str
    text: str


@dataclass(frozen=True)
class Minute:
    """One minute of the record of decisions: a report and what was resolved on it."""

    number: int
    item: str
    title: str
    interests: list[str]
    resolved: list[Resolution]
    deferred: list[str]
    not_agreed: list[str]
    reasons: str


def recorded(
    project: Project, contexts: dict[str, dict[str, Any]], meeting_id: str, report_id: str
) -> list[RecordedRecommendation]:
    """Each recommendation of ``report_id`` with its outcome at the meeting (none recorded
    reads as an empty outcome)."""
    report = project.documents[report_id]
    assert isinstance(report, Report)
    outcome = project.meetings[meeting_id].outcomes.get(report_id)
    views = recommendation_views(report, contexts.get(report_id, {}))
    texts = [v.text for v in views] if len(views) == len(report.recommendations) else []
    found = []
    for i, recommendation in enumerate(report.recommendations):
        text = texts[i] if texts else recommendation.text
        decided = outcome.recommendations.get(recommendation.id) if outcome else None
        if decided is None:
            found.append(RecordedRecommendation(text, ""))
            continue
        found.append(
            RecordedRecommendation(
                text,
                OUTCOME_LABELS[decided.decision],
                decided.wording or "",
                decided.reason or "",
            )
        )
    return found


def minutes(
    project: Project, contexts: dict[str, dict[str, Any]], meeting_id: str, items: dict[str, str]
) -> list[Minute]:
    """The meeting's minutes, one a report with a recorded outcome, in agenda order and
    numbered on from its ``first_minute``. ``items`` gives each report's agenda label."""
    meeting = project.meetings[meeting_id]
    found: list[Minute] = []
    for item in meeting.items:
        outcome = meeting.outcomes.get(item.document)
        report = project.documents.get(item.document)
        if outcome is None or not isinstance(report, Report):
            continue
        resolved, deferred, not_agreed = [], [], []
        for entry in recorded(project, contexts, meeting_id, item.document):
            if entry.outcome == OUTCOME_LABELS["agreed"]:
                resolved.append(entry.text)
            elif entry.outcome == OUTCOME_LABELS["agreed-as-amended"]:
                resolved.append(entry.wording)
            elif entry.outcome == OUTCOME_LABELS["deferred"]:
                deferred.append(f"{entry.text} Reason: {entry.reason}")
            elif entry.outcome == OUTCOME_LABELS["not-agreed"]:
                not_agreed.append(f"{entry.text} Reason: {entry.reason}")
        found.append(
            Minute(
                number=meeting.first_minute + len(found),
                item=items.get(item.document, ""),
                title=report.title,
                interests=[_declared(i) for i in outcome.interests],
                resolved=[Resolution(f"({_letter(n)})", text) for n, text in enumerate(resolved)],
                deferred=deferred,
                not_agreed=not_agreed,
                reasons=outcome.reasons or "",
            )
        )
    return found


def _letter(index: int) -> str:
    """(a) to (z), then (aa), (ab), … as long minutes run on."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else _letter(index // 26 - 1) + letters[index % 26]


def _declared(interest: Interest) -> str:
    left = "; they left the room for this item" if interest.left_the_room else ""
    return f"{interest.member} declared {interest.interest}{left}."


def outcome_problems(project: Project, inputs: Inputs, *, final: bool) -> list[Diagnostic]:
    """Outcomes recorded for reports on the meeting's agenda and recommendations they have;
    once any outcome of a meeting is recorded, each recommendation of each report on its
    agenda has one (a warning while the record is written, an error when ``final``)."""
    severity: Severity = "error" if final else "warning"
    found = []
    for meeting_id, meeting in project.meetings.items():
        if not meeting.outcomes:
            continue
        base: KeyPath = ("meetings", meeting_id, "outcomes")
        reports = {
            item.document: project.documents[item.document]
            for item in meeting.items
            if isinstance(project.documents.get(item.document), Report)
        }
        for report_id, outcome in meeting.outcomes.items():
            report = reports.get(report_id)
            if report is None:
                hint = did_you_mean(report_id, reports)
                found.append(
                    inputs.diagnostic(
                        (*base, report_id),
                        f"'{report_id}' is not a report on this meeting's agenda — {hint}",
                        of_key=True,
                    )
                )
                continue
            assert isinstance(report, Report)
            ids = [r.id for r in report.recommendations]
            for recommendation_id in outcome.recommendations:
                if recommendation_id not in ids:
                    found.append(
                        inputs.diagnostic(
                            (*base, report_id, "recommendations", recommendation_id),
                            f"report '{report_id}' has no recommendation '{recommendation_id}'"
                            f" — {did_you_mean(recommendation_id, ids)}",
                            of_key=True,
                        )
                    )
        for report_id, report in reports.items():
            assert isinstance(report, Report)
            outcome = meeting.outcomes.get(report_id)
            missing = [
                r.id
                for r in report.recommendations
                if outcome is None or r.id not in outcome.recommendations
            ]
            if missing:
                where = (*base, report_id) if outcome is not None else base
                found.append(
                    inputs.diagnostic(
                        where,
                        f"no outcome recorded for {_listed(missing)} of report '{report_id}'",
                        severity=severity,
                    )
                )
    return sorted(found)


def _listed(ids: list[str]) -> str:
    names = ", ".join(f"'{i}'" for i in ids)
    return f"recommendation{'s' if len(ids) > 1 else ''} {names}"
