"""Required PFMP durations as data (DOMAIN.md R1–R8, CONTRACT.md « Required days »).

Each diploma is a *profile*: an ordered list of rows matched against a student's
(voie, cycle_years, positioned); the first matching row wins. ``None`` in a row
means « any value ». A row either requires a number of working days (R1–R5) or
names the rule that applies instead of a duration (R6 certificats de travail,
R7 contrat d'apprentissage, R8 trois ans d'expérience). Adding another diploma's
durations is adding a profile to `PROFILES`, no code.

Reading of the table for AGOrA (référentiel, Annexe III, II.1, II.3, II.5):
- positioning comes first: a positioned scolaire learner needs 10 weeks (R3)
  whatever the cycle, a positioned FPC learner 8 weeks (R4);
- a scolaire learner whose ``cycle_years`` is unknown (null) and who is not
  positioned is read as the general case, a 3-year cycle: 22 weeks (R1). This is
  the safe reading: a shorter requirement must be recorded, never assumed.

A dérogation (a lower requirement decided by the authority) replaces the
required days of a duration-based voie (R1–R5); its reason travels with the
result (see `rules.CandidateStatus.derogation_reason`). The voies without a
duration (R6–R8) have no days to lower: their justificatifs stay required, the
dérogation's reason is still surfaced, never applied silently.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Student


@dataclass(frozen=True, slots=True)
class RequirementRow:
    voie: str
    cycle_years: int | None  # None: any cycle
    positioned: bool | None  # None: either
    required_days: int | None  # None: no PFMP duration, `rule` applies instead
    rule: str

    def matches(self, student: Student) -> bool:
        return (
            self.voie == student.voie
            and (self.cycle_years is None or self.cycle_years == student.cycle_years)
            and (self.positioned is None or self.positioned == student.positioned)
        )


DEFAULT_PROFILE = "agora"

PROFILES: dict[str, tuple[RequirementRow, ...]] = {
    # Bac Pro AGOrA, Annexe III. 5 working days make a week.
    "agora": (
        RequirementRow("scolaire", None, True, 50, "R3"),  # positionné, voie scolaire: 10 sem.
        RequirementRow("scolaire", 3, False, 110, "R1"),  # cycle de 3 ans: 22 sem.
        RequirementRow("scolaire", 2, False, 80, "R2"),  # cycle de 2 ans: 16 sem.
        RequirementRow("scolaire", None, False, 110, "R1"),  # cycle inconnu: lecture prudente, 22 sem.
        RequirementRow("fpc", None, True, 40, "R4"),  # positionné, FPC: 8 sem.
        RequirementRow("fpc", None, False, 110, "R5"),  # FPC, première formation ou reconversion: 22 sem.
        RequirementRow("fpc_perfectionnement", None, None, None, "R6"),  # certificats de travail
        RequirementRow("apprentissage", None, None, None, "R7"),  # contrat d'apprentissage
        RequirementRow("experience", None, None, None, "R8"),  # 3 ans d'expérience
    ),
}

# The rules that replace a PFMP duration, and what they ask for (French, for messages).
NON_DURATION_RULES: dict[str, str] = {
    "R6": "certificats de travail (6 mois à temps plein sur 12 mois ou 1 an sur 24 mois)",
    "R7": "contrat d'apprentissage",
    "R8": "certificats de travail couvrant 3 ans d'expérience",
}


def requirement_row(student: Student, profile: str = DEFAULT_PROFILE) -> RequirementRow:
    """The first row of `profile` matching `student`; ValueError if none does."""
    try:
        rows = PROFILES[profile]
    except KeyError:
        raise ValueError(f"profil de diplôme inconnu « {profile} »") from None
    for row in rows:
        if row.matches(student):
            return row
    raise ValueError(f"aucune durée de PFMP définie pour la voie « {student.voie} » (profil {profile})")


def required_days(student: Student, profile: str = DEFAULT_PROFILE) -> tuple[int | None, str]:
    """(required working days or None, rule id R1…R8) for `student`.

    A dérogation replaces the days of a duration-based voie (R1–R5); for R6–R8 it
    has no days to replace and the voie's own justificatif stays required.
    """
    row = requirement_row(student, profile)
    if row.required_days is not None and student.derogation is not None:
        return student.derogation.required_days, row.rule
    return row.required_days, row.rule


# Annexe III's floors for a positioned candidate (« durée minimale »), by rule.
POSITIONED_FLOORS: dict[str, str] = {"R3": "10 semaines", "R4": "8 semaines"}


def normal_required_days(student: Student, profile: str = DEFAULT_PROFILE) -> tuple[int | None, str]:
    """(required days, rule) of the learner's voie, ignoring any dérogation."""
    row = requirement_row(student, profile)
    return row.required_days, row.rule


def _normal_or_none(student: Student, profile: str) -> tuple[int | None, str | None]:
    """The voie's normal (days, rule), (None, None) for a voie the profile does not know
    (reported elsewhere)."""
    try:
        return normal_required_days(student, profile)
    except ValueError:
        return None, None


def derogation_error(student: Student, profile: str = DEFAULT_PROFILE) -> str | None:
    """Why the learner's dérogation is out of bounds (None when it is not).

    A dérogation lowers a requirement, never raises it: it lies between 0 and the
    voie's normal requirement (R1–R5; DOMAIN.md « A dérogation … is at most the normal
    requirement »). The voies without a duration (R6–R8) have no days to lower.
    """
    der, (normal, rule) = student.derogation, _normal_or_none(student, profile)
    if der is not None and normal is not None and not 0 <= der.required_days <= normal:
        return (f"dérogation de {der.required_days} jours : elle doit être comprise entre 0 et "
                f"la durée normale de la voie, {normal} jours ({rule})")
    return None


def derogation_floor_note(student: Student, profile: str = DEFAULT_PROFILE) -> str | None:
    """For a positioned candidate (R3, R4), a dérogation below Annexe III's minimum
    duration is said, never hidden (« durée minimale » of 10 or 8 weeks)."""
    der, (normal, rule) = student.derogation, _normal_or_none(student, profile)
    if der is not None and rule in POSITIONED_FLOORS and normal is not None and der.required_days < normal:
        return (f"en dessous de la durée minimale de {POSITIONED_FLOORS[rule]} fixée par l'annexe III "
                f"pour un candidat positionné ({rule})")
    return None
