"""The compliance engine: each candidate's status and flags (CONTRACT.md « pfmp check »).

Pure functions of a candidate's records, their cohort and an as-of date: no I/O.
Every flag cites its rule id (DOMAIN.md) and says, in French, which document is
missing for which placement.

Readings made here (CONTRACT.md leaves them open; the référentiel decides):
- « ended before as_of » means ``placement.end < as_of``; « started » means
  ``placement.start <= as_of``; « on/after the deadline » means ``as_of >= deadline``.
- R11 (attestation after every PFMP) applies to the voies whose justificatif is a
  PFMP duration (R1–R5: scolaire and FPC, Annexe III II.1 and II.3.1). For
  FPC perfectionnement the attestation « est remplacée par » certificats de travail
  (II.3.2), apprentices prove a contract (II.2) and experienced candidates do no PFMP
  (II.4): a placement recorded for them is not a justificatif, so no R11 flag.
- R10 (convention signed on or before the start), R12 (assessment after the
  period) and overlaps are warnings for every placement recorded.
- A placement overlap cites the candidate's requirement rule. CONTRACT.md sums the
  days of every placement (attested and planned), so common days *are* counted
  twice: the warning says so and how many, so that the dates get corrected.
- ATTESTATION_EARLY (R11, warning): an attestation received before its PFMP's last
  day, or recorded while the PFMP runs on after as_of (``end > as_of``: on its last
  day a PFMP may hand its attestation over).
- CONVENTION_FUTURE (R10, warning): a convention signed on a day after as_of.
- ABSENCES_MISMATCH (R11/R18, warning): for a signed attestation, working days −
  absent days ≠ days_completed (with no absence recorded too: days missing unexplained).
- SPREAD (R1, warning): a 3-year scolaire candidate (R1) whose placements all start in
  one school year, once it is too late to spread them (as_of in the exam session's
  school year) or the plan already reaches the requirement.
- R6: the windows end on the deadline (included) and start 12 or 24 calendar
  months before it (included). 6 months full time = 182 days counted on full-time
  certificates only; 1 year = 365 days counted on every certificate (full or part
  time). R8: 3 years = 1,095 days of every certificate, no window. Coverage is the
  calendar days of the union of the certificates' intervals (both ends included),
  so overlapping certificates count once.

Every reading of as_of here has its boundary in stability.py (until when a status
stays the same, so that kept statuses serve several days): a new one must add its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from .model import (
    CONVENTION_LABELS,
    Absence,
    Assessment,
    Cohort,
    Contract,
    Dataset,
    Organisation,
    Placement,
    Student,
    WorkCertificate,
)
from .absences import absent_days_by_placement
from .requirements import DEFAULT_PROFILE, derogation_floor_note, required_days as _required_days
from .school_years import days_per_school_year, school_year_label, school_year_of
from .validation import format_date_fr
from .workdays import format_days, working_days

STATUS_ORDER = ("non_valide", "a_risque", "en_cours", "valide")  # worst first
STATUS_LABELS = {"valide": "valide", "en_cours": "en cours", "a_risque": "à risque", "non_valide": "non valide"}

# R6 / R8 thresholds, in calendar days (CONTRACT.md).
R6_FULL_TIME_DAYS = 182  # 6 months full time ...
R6_FULL_TIME_MONTHS = 12  # ... within the 12 calendar months before the deadline
R6_ANY_TIME_DAYS = 365  # 1 year, full or part time ...
R6_ANY_TIME_MONTHS = 24  # ... within the 24 calendar months before the deadline
R8_DAYS = 1095  # 3 years

DURATION_RULES = frozenset({"R1", "R2", "R3", "R4", "R5"})


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str  # "R11"
    code: str  # "ATTESTATION_MISSING"
    blocking: bool
    placement_id: str | None
    message: str  # French, names the document, the placement and cites the rule: "… (R11)"


@dataclass(frozen=True, slots=True)
class CandidateStatus:
    student_id: str
    name: str
    cohort_id: str
    voie: str
    required_days: int | None
    attested_days: int
    planned_days: int
    status: str  # "valide" | "en_cours" | "a_risque" | "non_valide"
    flags: tuple[Flag, ...]
    requirement_rule: str  # "R1".."R8"
    derogation_reason: str | None
    deadline: date

    @property
    def missing_days(self) -> int:
        """Days still to attest (0 when none is required or enough are attested)."""
        if self.required_days is None:
            return 0
        return max(0, self.required_days - self.attested_days)

    @property
    def blocking_flags(self) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.blocking)


# -- helpers ----------------------------------------------------------------------------
def covered_days(intervals: Iterable[tuple[date, date]], window: tuple[date, date] | None = None) -> int:
    """Calendar days covered by the union of inclusive intervals, clipped to `window`.

    Overlapping or repeated intervals count once; an interval with end < start covers nothing.
    """
    clipped: list[tuple[date, date]] = []
    for start, end in intervals:
        if window is not None:
            start, end = max(start, window[0]), min(end, window[1])
        if end >= start:
            clipped.append((start, end))
    clipped.sort()
    total = 0
    current: tuple[date, date] | None = None
    for start, end in clipped:
        if current is None or start > current[1] + timedelta(days=1):
            if current is not None:
                total += (current[1] - current[0]).days + 1
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).days + 1
    return total


def r6_windows(deadline: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """(12-month window, 24-month window), each ending on the deadline (R6)."""
    return (
        (deadline - relativedelta(months=R6_FULL_TIME_MONTHS), deadline),
        (deadline - relativedelta(months=R6_ANY_TIME_MONTHS), deadline),
    )


def _where(placement: Placement, organisations: dict[str, Organisation]) -> str:
    org = organisations.get(placement.organisation_id)
    name = org.name if org is not None else placement.organisation_id
    return f"chez « {name} » du {format_date_fr(placement.start)} au {format_date_fr(placement.end)}"


def _required_text(required: int, derogation_reason: str | None, floor_note: str | None = None) -> str:
    text = f"{format_days(required)} requises"
    if derogation_reason:
        text += f" (dérogation : {derogation_reason}"
        text += f" ; {floor_note})" if floor_note else ")"
    return text


def _day_count(n: int) -> str:
    return f"{n} jour" if n in (0, 1) else f"{n} jours"


# -- one candidate ----------------------------------------------------------------------
def _duration_flags(
    required: int, rule: str, attested: int, projected: int, deadline: date, as_of: date, reason: str | None,
    floor_note: str | None = None,
) -> list[Flag]:
    """WEEKS_SHORT on/after the deadline, PLAN_SHORT before it (R1–R5)."""
    if as_of >= deadline:
        if attested < required:
            return [Flag(rule, "WEEKS_SHORT", True, None,
                         f"Durée de PFMP attestée insuffisante : {format_days(attested)} attestées "
                         f"et signées sur {_required_text(required, reason, floor_note)}, il manque "
                         f"{format_days(required - attested)} d'attestations signées ({rule})")]
        return []
    if projected < required:
        return [Flag(rule, "PLAN_SHORT", True, None,
                     f"Durée de PFMP prévue insuffisante : {format_days(projected)} prévues ou "
                     f"attestées sur {_required_text(required, reason, floor_note)}, il manque "
                     f"{format_days(required - projected)} de PFMP à planifier avant le "
                     f"{format_date_fr(deadline)} ({rule})")]
    return []


def _attestation_flags(placement: Placement, as_of: date, organisations: dict[str, Organisation]) -> list[Flag]:
    """R11: every PFMP ended before as_of has an attestation signed by the tutor."""
    if placement.end >= as_of:
        return []
    where = _where(placement, organisations)
    if placement.attestation is None:
        return [Flag("R11", "ATTESTATION_MISSING", True, placement.id,
                     f"Attestation de PFMP manquante pour la PFMP {where} (R11)")]
    if not placement.attestation.signed_by_tutor:
        return [Flag("R11", "ATTESTATION_UNSIGNED", True, placement.id,
                     f"Attestation de PFMP non signée par le tuteur pour la PFMP {where} (R11)")]
    return []


def _convention_flag(placement: Placement, as_of: date, organisations: dict[str, Organisation]) -> list[Flag]:
    """R10 (warning): a started PFMP needs a convention signed on or before its start."""
    if placement.start > as_of:
        return []
    conv = placement.convention
    if conv.status == "signed" and conv.signed_on is not None and conv.signed_on <= placement.start:
        return []
    where = _where(placement, organisations)
    if conv.status == "signed" and conv.signed_on is not None:
        detail = f"signée le {format_date_fr(conv.signed_on)}, après le début"
    elif conv.status == "signed":
        detail = "signée sans date de signature"
    else:
        detail = f"statut : {CONVENTION_LABELS.get(conv.status, conv.status)}"
    return [Flag("R10", "CONVENTION_UNSIGNED", False, placement.id,
                 f"Convention non signée avant le début de la PFMP {where} ({detail}) (R10)")]


def _assessment_flag(
    placement: Placement, as_of: date, assessed: set[str], organisations: dict[str, Organisation]
) -> list[Flag]:
    """R12 (warning): an ended PFMP has the tutor's assessment in the document de liaison."""
    if placement.end >= as_of or placement.id in assessed:
        return []
    return [Flag("R12", "ASSESSMENT_MISSING", False, placement.id,
                 f"Évaluation des compétences (document de liaison) manquante pour la PFMP "
                 f"{_where(placement, organisations)} (R12)")]


def _overlap_flags(placements: Sequence[Placement], rule: str, organisations: dict[str, Organisation]) -> list[Flag]:
    """Warning: two placements of one candidate overlap. The durations sum every
    placement's days (CONTRACT.md), so the common days are counted twice: say how many."""
    flags = []
    ordered = sorted(placements, key=lambda p: (p.start, p.end, p.id))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            if second.start > first.end:
                break
            common = working_days(second.start, min(first.end, second.end))
            flags.append(Flag(rule, "PLACEMENT_OVERLAP", False, second.id,
                              f"PFMP qui se chevauchent : {_where(first, organisations)} et "
                              f"{_where(second, organisations)} ; leurs {_day_count(common)} ouvrés "
                              f"communs sont comptés deux fois dans les durées : corrigez les dates ({rule})"))
    return flags


def _attestation_early_flag(placement: Placement, as_of: date, organisations: dict[str, Organisation]) -> list[Flag]:
    """R11 (warning): an attestation comes after its PFMP, « à l'issue de chaque période »."""
    att = placement.attestation
    if att is None:
        return []
    where = _where(placement, organisations)
    if placement.end > as_of:
        return [Flag("R11", "ATTESTATION_EARLY", False, placement.id,
                     f"Attestation enregistrée pour la PFMP {where}, qui n'est pas terminée le "
                     f"{format_date_fr(as_of)} (R11)")]
    if att.received_on < placement.end:
        return [Flag("R11", "ATTESTATION_EARLY", False, placement.id,
                     f"Attestation reçue le {format_date_fr(att.received_on)}, avant la fin de la PFMP "
                     f"{where} (R11)")]
    return []


def _convention_future_flag(placement: Placement, as_of: date, organisations: dict[str, Organisation]) -> list[Flag]:
    """R10 (warning): a convention cannot have been signed after today."""
    signed_on = placement.convention.signed_on
    if signed_on is None or signed_on <= as_of:
        return []
    return [Flag("R10", "CONVENTION_FUTURE", False, placement.id,
                 f"Convention datée du {format_date_fr(signed_on)}, après le {format_date_fr(as_of)}, "
                 f"pour la PFMP {_where(placement, organisations)} : vérifiez la date de signature (R10)")]


def _absences_mismatch_flag(placement: Placement, absent: int, organisations: dict[str, Organisation]) -> list[Flag]:
    """R11/R18 (warning): working days − absent days = the signed attestation's days done."""
    att = placement.attestation
    if att is None or not att.signed_by_tutor:
        return []
    expected = working_days(placement.start, placement.end) - absent
    if expected == att.days_completed:
        return []
    gap = att.days_completed - expected
    direction = "de plus" if gap > 0 else "de moins"
    absences = f"{_day_count(absent)} d'absence enregistrés" if absent else "aucune absence enregistrée"
    return [Flag("R11", "ABSENCES_MISMATCH", False, placement.id,
                 f"Jours effectués de l'attestation ({att.days_completed}) différents des jours ouvrés moins "
                 f"les absences ({expected} : {absences}) : {_day_count(abs(gap))} {direction} pour la PFMP "
                 f"{_where(placement, organisations)} (R11, R18)")]


def _spread_flag(student: Student, cohort: Cohort, placements: Sequence[Placement], rule: str,
                 required: int | None, projected: int, as_of: date) -> list[Flag]:
    """R1 (warning): the 22 weeks of a 3-year cycle are « réparties sur les trois années »."""
    if rule != "R1" or student.voie != "scolaire" or not placements:
        return []
    per_year = days_per_school_year(placements)
    if len(per_year) != 1:
        return []
    too_late = school_year_of(as_of) >= cohort.exam_session - 1
    if not too_late and (required is None or projected < required):
        return []  # the cycle's later years can still receive PFMP
    (year,) = per_year
    return [Flag("R1", "SPREAD", False, None,
                 f"Toutes les PFMP sont en {school_year_label(year)} : elles doivent être réparties sur "
                 f"les trois années du cycle (R1)")]


def _r6_flag(certificates: Sequence[WorkCertificate], deadline: date) -> list[Flag]:
    """R6: 182 days full time within 12 months before the deadline, or 365 days within 24."""
    w12, w24 = r6_windows(deadline)
    full = covered_days(((c.start, c.end) for c in certificates if c.full_time), w12)
    anytime = covered_days(((c.start, c.end) for c in certificates), w24)
    if full >= R6_FULL_TIME_DAYS or anytime >= R6_ANY_TIME_DAYS:
        return []
    return [Flag("R6", "CERTIFICATES_SHORT", True, None,
                 f"Certificats de travail insuffisants : {_day_count(full)} à temps plein du "
                 f"{format_date_fr(w12[0])} au {format_date_fr(w12[1])} ({R6_FULL_TIME_DAYS} requis), "
                 f"et {_day_count(anytime)} à temps plein ou partiel du {format_date_fr(w24[0])} au "
                 f"{format_date_fr(w24[1])} ({R6_ANY_TIME_DAYS} requis) (R6)")]


def _r7_flag(contracts: Sequence[Contract]) -> list[Flag]:
    """R7: an apprentice proves an apprenticeship contract."""
    if contracts:
        return []
    return [Flag("R7", "CONTRACT_MISSING", True, None, "Contrat d'apprentissage manquant (R7)")]


def _r8_flag(certificates: Sequence[WorkCertificate]) -> list[Flag]:
    """R8: certificats de travail covering 3 years (1,095 days)."""
    covered = covered_days((c.start, c.end) for c in certificates)
    if covered >= R8_DAYS:
        return []
    return [Flag("R8", "EXPERIENCE_SHORT", True, None,
                 f"Certificats de travail insuffisants : {_day_count(covered)} d'expérience "
                 f"justifiés sur {R8_DAYS} requis (3 ans) (R8)")]


def evaluate(
    student: Student,
    cohort: Cohort,
    placements: Sequence[Placement],
    certificates: Sequence[WorkCertificate],
    contracts: Sequence[Contract],
    assessments: Sequence[Assessment],
    organisations: dict[str, Organisation],
    as_of: date,
    *,
    profile: str = DEFAULT_PROFILE,
    absences: Sequence[Absence] = (),
) -> CandidateStatus:
    """The status and flags of one candidate at `as_of` (CONTRACT.md « Status »)."""
    deadline = cohort.dossier_deadline
    required, rule = _required_days(student, profile)
    reason = student.derogation.reason if student.derogation is not None else None
    ordered = sorted(placements, key=lambda p: (p.start, p.end, p.id))
    assessed = {a.placement_id for a in assessments}

    attested = sum(p.attestation.days_completed for p in ordered if p.attestation and p.attestation.signed_by_tutor)
    planned = sum(working_days(p.start, p.end) for p in ordered)
    projected = sum(
        p.attestation.days_completed if p.attestation and p.attestation.signed_by_tutor else working_days(p.start, p.end)
        for p in ordered
    )

    flags: list[Flag] = []
    if required is not None:
        flags += _duration_flags(required, rule, attested, projected, deadline, as_of, reason,
                                 derogation_floor_note(student, profile))
        for p in ordered:
            flags += _attestation_flags(p, as_of, organisations)
    elif rule == "R6":
        flags += _r6_flag(certificates, deadline)
    elif rule == "R7":
        flags += _r7_flag(contracts)
    elif rule == "R8":
        flags += _r8_flag(certificates)
    absent = absent_days_by_placement(absences)
    for p in ordered:
        flags += _convention_flag(p, as_of, organisations)
        flags += _convention_future_flag(p, as_of, organisations)
        flags += _attestation_early_flag(p, as_of, organisations)
        flags += _absences_mismatch_flag(p, absent.get(p.id, 0), organisations)
        flags += _assessment_flag(p, as_of, assessed, organisations)
    flags += _overlap_flags(ordered, rule, organisations)
    flags += _spread_flag(student, cohort, ordered, rule, required, projected, as_of)

    if any(f.blocking for f in flags):
        status = "non_valide" if as_of >= deadline else "a_risque"
    elif required is not None and attested < required:
        status = "en_cours"
    else:
        status = "valide"

    return CandidateStatus(
        student_id=student.id,
        name=student.full_name,
        cohort_id=student.cohort_id,
        voie=student.voie,
        required_days=required,
        attested_days=attested,
        planned_days=planned,
        status=status,
        flags=tuple(flags),
        requirement_rule=rule,
        derogation_reason=reason,
        deadline=deadline,
    )


def sort_key(result: CandidateStatus) -> tuple:
    """Worst first: status order, then most missing days, then name."""
    return (STATUS_ORDER.index(result.status), -result.missing_days, result.name.casefold(), result.student_id)


def check_dataset(
    data: Dataset, as_of: date, cohort_id: str | None = None, *, profile: str = DEFAULT_PROFILE
) -> list[CandidateStatus]:
    """Every candidate's status (of one cohort if `cohort_id`), worst first."""
    cohorts = {c.id: c for c in data.cohorts}
    organisations = {o.id: o for o in data.organisations}
    placements: dict[str, list[Placement]] = defaultdict(list)
    for p in data.placements:
        placements[p.student_id].append(p)
    certificates: dict[str, list[WorkCertificate]] = defaultdict(list)
    for c in data.work_certificates:
        certificates[c.student_id].append(c)
    contracts: dict[str, list[Contract]] = defaultdict(list)
    for k in data.contracts:
        contracts[k.student_id].append(k)
    assessments_by_placement: dict[str, list[Assessment]] = defaultdict(list)
    for a in data.assessments:
        assessments_by_placement[a.placement_id].append(a)
    absences_by_placement: dict[str, list[Absence]] = defaultdict(list)
    for ab in data.absences:
        absences_by_placement[ab.placement_id].append(ab)

    results = []
    for student in data.students:
        if cohort_id is not None and student.cohort_id != cohort_id:
            continue
        cohort = cohorts.get(student.cohort_id)
        if cohort is None:
            raise ValueError(f"élève « {student.id} » : cohorte inconnue « {student.cohort_id} »")
        mine = placements[student.id]
        results.append(
            evaluate(
                student,
                cohort,
                mine,
                certificates[student.id],
                contracts[student.id],
                [a for p in mine for a in assessments_by_placement[p.id]],
                organisations,
                as_of,
                profile=profile,
                absences=[ab for p in mine for ab in absences_by_placement.get(p.id, ())],
            )
        )
    results.sort(key=sort_key)
    return results
