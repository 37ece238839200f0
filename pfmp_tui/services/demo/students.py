"""The demo's learners: names, INE, e-mail, voie, cycle, positionnement, dérogation (R1–R8)."""

from __future__ import annotations

from datetime import date, timedelta

from ...domain.model import Derogation, Student
from ...domain.text import slug
from ...domain.validation import format_date_fr
from .calendar import CohortPlan
from .draft import SchoolDraft
from .names import ADULT_FEMALE_NAMES, ADULT_MALE_NAMES, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES
from .profiles import ADULT_KINDS


def new_ine(draft: SchoolDraft, apprentice_year: int | None) -> str:
    rng = draft.rng
    while True:
        letter = chr(ord("A") + rng.randrange(26))
        if apprentice_year is not None:
            ine = f"{apprentice_year}A{rng.randrange(100_000):05d}{letter}"
        else:
            ine = f"{rng.randrange(10**10):010d}{letter}"
        if ine not in draft.ines:
            draft.ines.add(ine)
            return ine


def new_email(draft: SchoolDraft, first: str, last: str, domain: str) -> str:
    local = f"{slug(first)}.{slug(last)}"
    email, n = f"{local}@{domain}", 1
    while email in draft.emails:
        n += 1
        email = f"{local}{n}@{domain}"
    draft.emails.add(email)
    return email


def build_student(draft: SchoolDraft, sid: str, plan: CohortPlan, kind: str) -> Student:
    rng = draft.rng
    adult = kind in ADULT_KINDS
    if adult:
        first = rng.choice(ADULT_FEMALE_NAMES if rng.random() < 0.7 else ADULT_MALE_NAMES)
        birth = date(rng.randint(1976, 2000), rng.randint(1, 12), rng.randint(1, 28))
    else:
        first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.7 else MALE_FIRST_NAMES)
        # Born the year they turn 15 in 2nde; some a year or two older (redoublement, reorientation).
        older = rng.choices((0, 1, 2), (75, 20, 5))[0] + (1 if kind in ("cycle2", "positioned") else 0)
        birth = date(plan.cycle_start - 15 - older, rng.randint(1, 12), rng.randint(1, 28))
    last = rng.choice(LAST_NAMES)
    voie = {
        "apprentice": "apprentissage", "apprentice_no_contract": "apprentissage",
        "fpc": "fpc", "fpc_positioned": "fpc",
        "perf_part_time": "fpc_perfectionnement", "perf_full_time": "fpc_perfectionnement",
        "perf_short": "fpc_perfectionnement",
        "experience": "experience", "experience_short": "experience",
    }.get(kind, "scolaire")
    if kind.startswith("apprentice"):
        ine = new_ine(draft, plan.cycle_start + (0 if plan.role == "2nde" else 1))
    elif kind.startswith("experience") or (adult and rng.random() < 0.4):
        ine = None
    else:
        ine = new_ine(draft, None)
    if adult:
        email = new_email(draft, first, last, "stagiaires.example.org") if rng.random() < 0.9 else None
    else:
        email = new_email(draft, first, last, "eleves.example.org") if rng.random() < 0.4 else None
    derogation = None
    if kind == "derogation":
        p4 = plan.periods[4]
        derogation = Derogation(
            required_days=90,
            reason=(
                f"inaptitude temporaire (certificat médical du {format_date_fr(p4.start - timedelta(days=3))}) : "
                f"PFMP 4 non effectuée ; durée ramenée à 18 semaines par décision du recteur du "
                f"{format_date_fr(p4.end + timedelta(days=24))}"
            ),
        )
    return Student(
        id=sid,
        last_name=last,
        first_name=first,
        cohort_id=plan.cohort.id,
        voie=voie,
        ine=ine,
        birth_date=birth,
        email=email,
        cycle_years={"regular": 3, "derogation": 3, "cycle2": 2, "positioned": 2}.get(kind),
        positioned=kind in ("positioned", "fpc_positioned"),
        derogation=derogation,
    )
