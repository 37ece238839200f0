"""What the candidate's file says of the days that count (issue 14): days per school year (R1),
absences, shortfall, make-up and the « motif pour durée non effectuée » (R18), mobility (R15),
allocation PFMP and what holds it (R17). Markup for a Static; shared by screens, imports none."""

from __future__ import annotations

from textual.markup import escape

from ..domain.allocation import format_euros
from ..domain.model import ABSENCE_REASON_LABELS, CLASS_YEAR_LABELS, Dataset, Placement
from ..domain.school_years import school_year_label
from ..domain.validation import format_date_fr
from ..services.days import CandidateDays, candidate_days
from .state import AppState


def days_info(state: AppState, student_id: str) -> CandidateDays | None:
    """The learner's days, from their own records only (the cost of opening a file must not
    grow with the school)."""
    student = state.get("students", student_id)
    cohort = state.get("cohorts", student.cohort_id) if student is not None else None
    if cohort is None:
        return None  # the learner or their cohort is gone
    data = state.data
    placements = state.placements_by_student.get(student_id, [])
    ids = {p.id for p in placements}
    mine = Dataset(
        cohorts=[cohort], students=[student], organisations=data.organisations, placements=list(placements),
        absences=[a for a in data.absences if a.placement_id in ids] if ids else [],
        work_certificates=[w for w in data.work_certificates if w.student_id == student_id],
        contracts=[k for k in data.contracts if k.student_id == student_id],
    )
    try:
        return candidate_days(mine, student_id, state.today)
    except ValueError:
        return None


def days_markup(info: CandidateDays) -> str:
    years = ", ".join(f"{school_year_label(y)} : {n} j" for y, n in info.per_school_year.items()) or "aucune PFMP"
    lines = [f"Par année scolaire (R1) : {years}"]
    sf = info.shortfall
    if info.absences:
        lines.append(f"Absences (R18) : [b]{sf.absent_days} j[/] · rattrapage prévu : {sf.made_up_days} j"
                     + (f" · [$text-warning]! {sf.uncovered_days} j non rattrapés[/]" if sf.uncovered_days else ""))
        for a in info.absences:
            proof = "justifiée" if a.justified else "[$text-warning]! justificatif non reçu[/]"
            note = f" ({escape(a.note)})" if a.note else ""
            lines.append(f"  {format_date_fr(a.start)}–{format_date_fr(a.end)} · {a.days} j · "
                         f"{escape(ABSENCE_REASON_LABELS.get(a.reason, a.reason))}{note} · {proof}")
    else:
        lines.append("Absences (R18) : aucune enregistrée")
    for target, makeups in info.makeups.items():
        for m in makeups:
            lines.append(f"  ↺ rattrapage du {format_date_fr(m.start)} au {format_date_fr(m.end)} (pour {escape(target)})")
    if sf.motif:
        lines.append(f"[$text-error]✗ Manque impossible à rattraper avant la date limite[/] "
                     f"({sf.missing_days} j manquants, {sf.days_left} j ouvrés restants)")
        lines.append(f"  Motif pour durée non effectuée (au service des examens) : {escape(sf.motif)}")
    elif info.makeup_weeks:
        lines.append("  Semaines de vacances pour un rattrapage : " + ", ".join(
            f"{format_date_fr(a)}–{format_date_fr(b)}" for a, b, _ in info.makeup_weeks[:3]))
    if info.abroad:
        lines.append(f"Mobilité (R15) : {info.mobility_days} j dans l'UE, l'EEE ou l'AELE"
                     f" · {len(info.abroad)} PFMP à l'étranger")
    if info.not_eligible:
        lines.append(f"Allocation PFMP : {escape(info.not_eligible)}")
    elif info.allocation:
        total = sum(line.amount_cents for line in info.allocation)
        lines.append(f"Allocation PFMP (R17) : [b]{format_euros(total)}[/]")
        for line in info.allocation:
            why = f" : {escape(' ; '.join(line.reasons))}" if line.reasons else ""
            lines.append(f"  {format_date_fr(line.start)} · {line.class_label} · {line.payable_days} j · "
                         f"{format_euros(line.amount_cents)}{' (plafond)' if line.capped else ''} · {line.status}{why}")
    return "\n".join(lines)


def placement_days_line(info: CandidateDays | None, p: Placement, mobility: bool) -> str | None:
    """The placement detail's line of absences, make-up, class year and mobility, or None."""
    if info is None:
        return None
    parts = []
    absent = info.absent_by_placement.get(p.id)
    if absent:
        parts.append(f"absences : {absent} j (R18)")
    if p.makes_up:
        parts.append(f"rattrapage de {escape(p.makes_up)} (R18)")
    if p.class_year:
        parts.append(f"classe : {CLASS_YEAR_LABELS.get(p.class_year, p.class_year)} (précisée)")
    if mobility:
        parts.append("compte pour l'unité de mobilité (R15)")
    return " · ".join(parts) or None
