"""The demo's placements and what comes back from them: conventions (R10), attestations (R11), assessments (R12).

A few of them carry defects, planted (see `profiles.SPECIALS`) or drawn at the rates below.
"""

from __future__ import annotations

from datetime import date, timedelta

from ...domain.competences import COMPETENCES
from ...domain.model import Assessment, Attestation, Convention, Organisation, Period, Placement, Student
from ...domain.workdays import working_days
from .calendar import FPC_BLOCKS, CohortPlan, weeks_span
from .draft import SchoolDraft
from .profiles import PROFILE_PERIODS

# Random defects on ordinary learners of the current cohorts (per ended placement).
P_ATTESTATION_MISSING = 0.012
P_ATTESTATION_UNSIGNED = 0.01
P_ATTESTATION_SHORT = 0.02
P_CONVENTION_LATE = 0.04
P_CONVENTION_NEVER = 0.01
P_ASSESSMENT_MISSING = 0.05
P_COMMENT = 0.03
# Share of competences « non évalué » by period number (fewer situations seen early on).
P_NOT_ASSESSED = {1: 0.3, 2: 0.2, 3: 0.12, 4: 0.08, 5: 0.05, 6: 0.03}
BASE_LEVEL = {1: 1.6, 2: 2.0, 3: 2.4, 4: 2.8, 5: 3.1, 6: 3.4}

ACTIVITIES = (
    "accueil physique et téléphonique des clients et des usagers",
    "traitement du courrier entrant et sortant",
    "saisie des factures de vente et suivi des encaissements dans le PGI",
    "relances des clients par courriel et par téléphone",
    "mise à jour du fichier clients et de la base fournisseurs",
    "publication d'actualités sur le site internet et les réseaux sociaux",
    "préparation de devis et de bons de commande",
    "suivi des stocks de fournitures et passation des commandes",
    "enregistrement des factures d'achat",
    "rapprochement bancaire mensuel",
    "préparation des éléments de la déclaration de TVA",
    "mise à jour des plannings d'activité",
    "organisation de réunions et réservation de salles",
    "gestion des dossiers du personnel (entrées et sorties)",
    "suivi des congés et des absences",
    "préparation des éléments variables de paie",
    "organisation des déplacements et contrôle des notes de frais",
    "rédaction de notes d'information au personnel",
    "classement et archivage numérique des documents",
    "participation à l'organisation d'un événement (arbre de Noël, séminaire)",
)
COMMENTS = {
    1: ("Activité peu observée, à retravailler.", "Difficultés à hiérarchiser les demandes."),
    2: ("Progrès nets depuis la dernière période.", "Doit gagner en autonomie sur le PGI.",
        "À consolider : vérifier les pièces avant la saisie."),
    3: ("Travail soigné et rigoureux.", "Bon contact avec les usagers.", "Autonome sur les tâches courantes."),
    4: ("Très bonne maîtrise, force de proposition.", "Excellent contact avec les usagers.",
        "Prend des initiatives pertinentes."),
}


def convention(draft: SchoolDraft, start: date, issue: str | None) -> Convention:
    rng, today = draft.rng, draft.today
    if start <= today:  # started: signed beforehand, unless planted or unlucky
        roll = rng.random()
        if issue == "no_convention" or roll < P_CONVENTION_NEVER:
            return Convention(status="sent", signed_on=None)
        if issue == "late_convention" or roll < P_CONVENTION_NEVER + P_CONVENTION_LATE:
            return Convention(status="signed", signed_on=min(start + timedelta(days=rng.randint(1, 6)), today))
        return Convention(status="signed", signed_on=start - timedelta(days=rng.randint(5, 40)))
    ahead = (start - today).days
    roll = rng.random()
    if ahead <= 21:
        status = "signed" if roll < 0.85 else "sent"
    elif ahead <= 60:
        status = "signed" if roll < 0.3 else ("sent" if roll < 0.8 else "draft")
    elif ahead <= 120:
        status = "sent" if roll < 0.3 else ("draft" if roll < 0.8 else "none")
    else:
        status = "draft" if roll < 0.2 else "none"
    signed_on = today - timedelta(days=rng.randint(0, 14)) if status == "signed" else None
    return Convention(status=status, signed_on=signed_on)


def activities(draft: SchoolDraft) -> str:
    chosen = draft.rng.sample(ACTIVITIES, draft.rng.randint(3, 5))
    text = " ; ".join(chosen)
    return text[0].upper() + text[1:] + "."


def build_placements(
    draft: SchoolDraft, student: Student, plan: CohortPlan, kind: str, issue: str | None, number: str
) -> None:
    """The learner's placements, one per period of their profile (or FPC block), with what came back."""
    rng, today = draft.rng, draft.today
    # start, end, period, step: the period's number (1..6), which also sets the assessed levels
    spans: list[tuple[date, date, Period | None, int]] = []
    if kind == "fpc":
        first_year = plan.cohort.exam_session - 1
        for step, (month, day, weeks) in enumerate(FPC_BLOCKS, start=3):  # adults: levels of 1re–Tle
            start, end = weeks_span(date(first_year + (1 if month < 9 else 0), month, day), weeks)
            spans.append((start, end, None, step))
    else:
        for n in PROFILE_PERIODS.get(kind, ()):
            period = plan.periods[n]
            spans.append((period.start, period.end, period, n))
    if not spans:
        return
    # Which placement carries a planted defect: one ended six months ago at least.
    target = None
    if issue in ("missing_old", "unsigned_old", "short_old"):
        old = [i for i, (_, end, _, _) in enumerate(spans) if end < today - timedelta(days=180)]
        target = rng.choice(old) if old else None
    short_all = issue == "short_all"
    noisy = plan.role != "prev" and issue is None and kind in ("regular", "cycle2")
    ability = rng.gauss(0.0, 0.4)
    teacher = rng.choice(draft.teachers)
    previous_org: Organisation | None = None
    for index, (start, end, period, step) in enumerate(spans, start=1):
        if issue == "abroad" and period is not None and step == 4:
            org = draft.abroad
        elif previous_org is not None and rng.random() < 0.35:
            org = previous_org
        else:
            org = rng.choice(draft.domestic)
        previous_org = org if org is not draft.abroad else None
        tutor = rng.choice(draft.tutors_of[org.id])
        pid = f"plc-{number}-{index}"
        attestation = None
        assessed = False
        if end < today:
            days = working_days(start, end)
            roll = rng.random()
            planted = index - 1 == target
            missing = (planted and issue == "missing_old") or (noisy and roll < P_ATTESTATION_MISSING)
            if not missing:
                signed = not ((planted and issue == "unsigned_old")
                              or (noisy and roll < P_ATTESTATION_MISSING + P_ATTESTATION_UNSIGNED))
                short = 0
                if (planted and issue == "short_old") or (short_all and index in (2, 4)):
                    short = rng.randint(3, 6)
                elif noisy and roll < P_ATTESTATION_MISSING + P_ATTESTATION_UNSIGNED + P_ATTESTATION_SHORT:
                    short = rng.randint(1, 4)
                attestation = Attestation(
                    received_on=min(end + timedelta(days=rng.randint(0, 12)), today),
                    signed_by_tutor=signed,
                    days_completed=days - short,
                    activities=activities(draft),
                )
                assessed = rng.random() >= P_ASSESSMENT_MISSING
        placement = Placement(
            id=pid,
            student_id=student.id,
            organisation_id=org.id,
            start=start,
            end=end,
            period_id=period.id if period is not None else None,
            tutor_id=tutor.id,
            teacher=teacher,
            convention=convention(draft, start, issue),
            attestation=attestation,
        )
        draft.data.placements.append(placement)
        if assessed:
            assess(draft, placement, step, ability)


def assess(draft: SchoolDraft, placement: Placement, step: int, ability: float) -> None:
    rng = draft.rng
    random_ = rng.random
    when = placement.attestation.received_on if placement.attestation else placement.end
    base = BASE_LEVEL[step] + ability
    p_none = P_NOT_ASSESSED[step]
    prefix = "asm" + placement.id[3:]
    out = draft.data.assessments
    for comp in COMPETENCES:
        if random_() < p_none:
            level = None
        else:
            level = min(4, max(1, round(base + random_() * 1.2 - 0.6)))
        comment = None
        if level is not None and random_() < P_COMMENT:
            comment = rng.choice(COMMENTS[level])
        out.append(Assessment(
            id=f"{prefix}-{comp.code}",
            placement_id=placement.id,
            competence=comp.code,
            level=level,
            assessor="tutor",
            date=when,
            comment=comment,
        ))
