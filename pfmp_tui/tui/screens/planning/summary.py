"""Lines shared by the periods list, the period form and the planner: totals against R1–R5, calendar warnings."""

from __future__ import annotations

from textual.content import Content
from textual.markup import escape

from ....domain.planner import VoieTotal
from ....domain.workdays import format_days


def totals_line(totals: list[VoieTotal]) -> Content:
    """The planned days against each requirement of the cohort (R1–R5), ✓ or ✗, and a verdict in words."""
    if not totals:
        return Content.from_markup("[$text-muted]Aucun élève de la cohorte n'a de durée de PFMP exigée (R1–R5).[/]")
    parts = []
    for t in totals:
        mark = "[$text-success]✓[/]" if t.enough else "[$text-error]✗[/]"
        parts.append(f"{t.rule} {format_days(t.required_days)} {mark} {t.students} él.")
    short = [t for t in totals if not t.enough]
    if short:
        missing = ", ".join(f"{t.rule} {format_days(t.required_days)} ({format_days(t.required_days - t.planned_days)} de plus)"
                            for t in short)
        verdict = f"[$text-error]✗ insuffisant : {missing}[/]"
    else:
        verdict = "[$text-success]✓ suffisant pour chaque élève[/]"
    return Content.from_markup(f"Requis : {' · '.join(parts)} · {verdict}")


def warning_lines(warnings: tuple[str, ...] | list[str], none: str) -> str:
    if not warnings:
        return f"[$text-success]✓[/] {escape(none)}"
    return "\n".join(f"[$text-warning]![/] {escape(w)}" for w in warnings)
