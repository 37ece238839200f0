"""Absences during a PFMP and their make-up, « rattrapage » (R18).

Absent days are not days done (R18) and are not paid (R17). They are made up by a
make-up PFMP (``Placement.makes_up`` names the placement it makes up for), usually
during school holidays: the calendar warnings that keep ordinary periods off the
holidays (R1 planning) do not apply to it, and `makeup_weeks` proposes holiday weeks.
A shortfall that cannot be made up before the dossier deadline is reported to the
exam service with its reason, « motif pour durée non effectuée » (`Shortfall.motif`).
Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import SchoolCalendar
from .errors import Collector
from .model import ABSENCE_REASON_LABELS, Absence, Placement
from .workdays import working_days


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def absent_days_by_placement(absences: Iterable[Absence]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for a in absences:
        totals[a.placement_id] += a.days
    return dict(totals)


def absence_errors(absence: Absence, placement: Placement | None, path: str, errs: Collector) -> None:
    """CONTRACT « Extensions »: an absence lies inside its placement, and its days are at
    most the working days of its dates (R18)."""
    if absence.end < absence.start:
        return  # reported as end before start by the record's own check
    max_days = working_days(absence.start, absence.end)
    if absence.days > max_days:
        errs.add(_at(path, "days"), f"{absence.days} jours d'absence dépassent les {max_days} jours ouvrés "
                                 f"du {absence.start:%d/%m/%Y} au {absence.end:%d/%m/%Y} (R18)")
    if placement is not None and (absence.start < placement.start or absence.end > placement.end):
        errs.add(_at(path, "start"), f"l'absence du {absence.start:%d/%m/%Y} au {absence.end:%d/%m/%Y} sort de la "
                                  f"PFMP du {placement.start:%d/%m/%Y} au {placement.end:%d/%m/%Y} (R18)")


def makes_up_errors(placements: Mapping[str, Placement], path_of: Mapping[str, str], errs: Collector) -> None:
    """CONTRACT « Extensions »: `makes_up` names another placement of the same learner,
    not itself, with no cycle. `path_of[id]` is where to report a placement's problem."""
    for pid, p in placements.items():
        if p.makes_up is None:
            continue
        where = _at(path_of.get(pid, "placements"), "makes_up")
        target = placements.get(p.makes_up)
        if p.makes_up == pid:
            errs.add(where, "une PFMP de rattrapage ne peut pas rattraper elle-même (R18)")
        elif target is None:
            continue  # an unknown reference is reported by the reference check
        elif target.student_id != p.student_id:
            errs.add(where, f"la PFMP « {p.makes_up} » est celle d'un autre élève (R18)")
        else:
            seen = {pid}
            current = target
            while current is not None and current.makes_up is not None:
                if current.id in seen or current.makes_up in seen:
                    errs.add(where, f"rattrapages en boucle à partir de « {pid} » (R18)")
                    break
                seen.add(current.id)
                current = placements.get(current.makes_up)


def made_up_placements(placements: Iterable[Placement]) -> dict[str, list[Placement]]:
    """placement id -> the make-up placements planned for it."""
    out: dict[str, list[Placement]] = defaultdict(list)
    for p in placements:
        if p.makes_up is not None:
            out[p.makes_up].append(p)
    return dict(out)


@dataclass(frozen=True, slots=True)
class Shortfall:
    """What absences cost a candidate and what is planned to make it up (R18)."""

    absent_days: int
    made_up_days: int  # working days of the make-up PFMP planned
    missing_days: int  # days still short of the requirement (0 when none is required)
    days_left: int  # working days from as_of to the deadline
    motif: str | None  # reason to report to the exam service, when it cannot be made up

    @property
    def uncovered_days(self) -> int:
        return max(0, self.absent_days - self.made_up_days)

    @property
    def cannot_make_up(self) -> bool:
        return self.motif is not None


def _motif(absences: Sequence[Absence]) -> str:
    by_reason: dict[str, int] = defaultdict(int)
    justified: dict[str, bool] = defaultdict(lambda: True)
    for a in absences:
        by_reason[a.reason] += a.days
        justified[a.reason] &= a.justified
    parts = []
    for reason, days in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])):
        label = ABSENCE_REASON_LABELS.get(reason, reason)
        notes = sorted({a.note for a in absences if a.reason == reason and a.note})
        if notes:
            label += f" ({' ; '.join(notes)})"
        proof = "justifiée" if justified[reason] else "justificatif non reçu"
        parts.append(f"{label} : {days} j, {proof}")
    return "absences pendant la PFMP — " + " ; ".join(parts)


def shortfall(
    placements: Sequence[Placement], absences: Sequence[Absence], missing_days: int, as_of: date, deadline: date
) -> Shortfall:
    """The candidate's shortfall due to absences and its make-up; `missing_days` is what
    the candidate still lacks against the requirement once every planned PFMP is done
    (the projection of R1–R5). It cannot be made up when days are still missing and
    fewer working days are left before the deadline than are missing (R18)."""
    absent = sum(a.days for a in absences)
    made_up = sum(working_days(p.start, p.end) for p in placements if p.makes_up is not None)
    left = working_days(as_of + timedelta(days=1), deadline) if as_of < deadline else 0
    motif = None
    if missing_days > 0 and absent > 0 and missing_days > left:
        motif = _motif(absences)
    return Shortfall(absent, made_up, missing_days, left, motif)


def makeup_weeks(zone: str | None, calendar: SchoolCalendar, after: date, before: date,
                 limit: int = 6) -> list[tuple[date, date, str]]:
    """Mon–Fri weeks wholly inside a school holiday of `zone`, strictly after `after` and
    ending on or before `before`: where a make-up PFMP usually goes (R18). R1's calendar
    warnings keep ordinary periods off these weeks; they do not apply to a make-up."""
    if zone is None:
        return []
    out = []
    monday = after + timedelta(days=(7 - after.weekday()) % 7 or 7)
    while monday + timedelta(days=4) <= before and len(out) < limit:
        friday = monday + timedelta(days=4)
        for h in calendar.holidays.get(zone, ()):
            if h.start <= monday and friday <= h.end:
                out.append((monday, friday, h.name))
                break
        monday += timedelta(days=7)
    return out
