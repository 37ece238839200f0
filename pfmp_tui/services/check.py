"""`pfmp check`: every candidate's status and flags, as JSON or as an 80-column table.

CONTRACT.md « pfmp check --format json » fixes the JSON keys and their order;
three keys are added after them (``requirement_rule``, ``derogation_reason``,
``deadline``) so a reader sees which rule set the requirement and why a
dérogation lowered it. The table is for people: worst first, a text marker per
status (not colour only), durations in weeks, blocking flags spelled out under
each candidate who is « non valide » or « à risque ».
"""

from __future__ import annotations

import re
import textwrap
from datetime import date

from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import Dataset
from ..domain.rules import STATUS_LABELS, STATUS_ORDER, CandidateStatus, check_dataset
from ..domain.validation import format_date_fr
from ..domain.workdays import format_days
from ..store.repository import Repository

WIDTH = 80
SEP = "  "  # between columns

STATUS_MARKERS = {"non_valide": "✗", "a_risque": "!", "en_cours": "…", "valide": "✓"}
VOIE_SHORT = {
    "scolaire": "scolaire",
    "apprentissage": "apprenti",
    "fpc": "FPC",
    "fpc_perfectionnement": "FPC perf.",
    "experience": "expérience",
}


def run_check(
    repo: Repository, as_of: date, cohort_id: str | None = None, *, data: Dataset | None = None
) -> list[CandidateStatus]:
    """Statuses of every candidate (of `cohort_id` if given), worst first.

    Pass `data` (a snapshot already read) when the caller also uses it, so that the
    results and the caller's rows come from the same state of the store.
    """
    if data is None:
        if cohort_id is not None and repo.get("cohorts", cohort_id) is None:
            raise ValidationFailed(FieldError("--cohort", f"cohorte inconnue « {cohort_id} »"))
        return repo.statuses(as_of, cohort_id)  # per shard, kept (issue 13)
    if cohort_id is not None and not any(c.id == cohort_id for c in data.cohorts):
        raise ValidationFailed(FieldError("--cohort", f"cohorte inconnue « {cohort_id} »"))
    return check_dataset(data, as_of, cohort_id)


def to_json(results: list[CandidateStatus], as_of: date) -> dict:
    """CONTRACT.md's document: {"as_of", "candidates": [...]} in its key order."""
    return {
        "as_of": as_of.isoformat(),
        "candidates": [
            {
                "student_id": r.student_id,
                "name": r.name,
                "cohort_id": r.cohort_id,
                "voie": r.voie,
                "required_days": r.required_days,
                "attested_days": r.attested_days,
                "planned_days": r.planned_days,
                "status": r.status,
                "flags": [
                    {
                        "rule": f.rule,
                        "code": f.code,
                        "blocking": f.blocking,
                        "placement_id": f.placement_id,
                        "message": f.message,
                    }
                    for f in r.flags
                ],
                "requirement_rule": r.requirement_rule,
                "derogation_reason": r.derogation_reason,
                "deadline": r.deadline.isoformat(),
            }
            for r in results
        ],
    }


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _duration(r: CandidateStatus) -> str:
    if r.required_days is None:
        return f"sans durée ({r.requirement_rule})"
    return f"{format_days(r.attested_days)} / {format_days(r.required_days)}"


_NBSP = "\u00a0"
# Never break « 22 sem. », « 3 j » or a quote from its guillemets.
_KEEP_TOGETHER = re.compile(r"(?<=\d) (?=sem\.|j\b)|(?<=«) | (?=»)")


def _wrap(text: str, indent: str, first: str = "") -> list[str]:
    lines = textwrap.wrap(
        _KEEP_TOGETHER.sub(_NBSP, text),
        width=WIDTH,
        initial_indent=indent + first,
        subsequent_indent=indent + " " * len(first),
        break_on_hyphens=False,
    )
    return [line.replace(_NBSP, " ") for line in lines]


def render_table(results: list[CandidateStatus], as_of: date) -> str:
    """A plain-text table, ≤ 80 columns, worst first, blocking flags under each candidate at risk.

    No trailing newline (the caller prints it).
    """
    results = sorted(results, key=lambda r: STATUS_ORDER.index(r.status))  # stable: keeps the order within a status
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUS_ORDER}
    lines = [
        f"Contrôle des PFMP au {format_date_fr(as_of)} — {len(results)} candidat"
        f"{'s' if len(results) > 1 else ''}"
    ]
    if not results:
        lines.append("Aucun candidat.")
        return "\n".join(lines)
    lines += _wrap(
        " · ".join(f"{STATUS_MARKERS[s]} {STATUS_LABELS[s]} : {counts[s]}" for s in STATUS_ORDER), ""
    )
    lines.append("")

    headers = ("État", "Candidat", "Voie", "Attesté / requis", "Prévu")
    rows = [
        (
            f"{STATUS_MARKERS[r.status]} {STATUS_LABELS[r.status]}",
            r.name,
            VOIE_SHORT.get(r.voie, r.voie),
            _duration(r),
            format_days(r.planned_days),
        )
        for r in results
    ]
    widths = [max(len(headers[i]), *(len(row[i]) for row in rows)) for i in range(len(headers))]
    # The name column takes what is left of 80 columns.
    fixed = sum(widths) - widths[1] + len(SEP) * (len(headers) - 1)
    widths[1] = max(8, min(widths[1], WIDTH - fixed))

    def line(cells: tuple[str, ...]) -> str:
        out = []
        for i, cell in enumerate(cells):
            cell = _fit(cell, widths[i])
            out.append(cell.rjust(widths[i]) if i in (3, 4) else cell.ljust(widths[i]))
        return SEP.join(out).rstrip()

    lines.append(line(headers))
    lines.append(_fit("─" * (sum(widths) + len(SEP) * (len(widths) - 1)), WIDTH))
    warnings = 0
    for r, row in zip(results, rows):
        lines.append(line(row))
        warnings += sum(1 for f in r.flags if not f.blocking)
        if r.derogation_reason:
            lines += _wrap(f"dérogation : {r.derogation_reason}", "    ")
        if r.status in ("non_valide", "a_risque"):
            for flag in r.blocking_flags:
                lines += _wrap(flag.message, "    ", "- ")
    if warnings:
        lines.append("")
        lines += _wrap(
            f"{warnings} avertissement{'s' if warnings > 1 else ''} non bloquant"
            f"{'s' if warnings > 1 else ''} (convention R10, évaluation R12, chevauchement) : "
            "détail avec --format json.",
            "",
        )
    return "\n".join(lines)
