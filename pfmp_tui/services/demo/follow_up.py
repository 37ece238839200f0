"""What the coordinators add around the placements (issue 15): hosts' contact details,
minors' legal representatives, the terms of the conventions (hours, annexe pédagogique,
gratification…), signatures in progress, teachers' visits and a few reminders sent.

Drawn from its own generator (seeded from the demo's seed), after the school is
built: the records the other modules draw are the same with or without it.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from ...domain.competences import COMPETENCES
from ...domain.convention import is_minor
from ...domain.model import Dataset, LegalRepresentative, PlacementTerms, Reminder, Signatures, Visit
from ...domain.text import slug
from ...domain.visits import midpoint
from .names import ADULT_FEMALE_NAMES, ADULT_MALE_NAMES, LAST_NAMES

TITLES = ("Gérant", "Gérante", "Directeur général des services", "Directrice des ressources humaines", "Président",
          "Présidente", "Associé", "Associée")
SCHEDULES = ("lundi–vendredi, 9 h – 12 h et 13 h 30 – 17 h 30", "lundi–vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h",
             "lundi–jeudi 9 h – 17 h 30, vendredi 9 h – 16 h")
ACTIVITIES = (
    "Accueil physique et téléphonique, gestion du courrier, tenue de l'agenda du service.",
    "Saisie des factures, suivi des règlements clients, relances par courriel.",
    "Mise à jour des dossiers du personnel, préparation des éléments de paie.",
    "Préparation de réunions, rédaction de comptes rendus, classement numérique.",
)
REPORTS = ("Élève bien intégré(e), autonome à l'accueil ; tuteur satisfait.",
           "Quelques retards signalés en début de période, réglés depuis.",
           "Activités conformes à l'annexe pédagogique ; bon relationnel avec les usagers.",
           "Point téléphonique avec le tuteur : progrès nets sur la facturation.")


def _phone(rng: random.Random) -> str:
    return f"02 61 91 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"  # ARCEP's range kept for fiction


def add_follow_up(data: Dataset, seed: int, today: date) -> None:
    rng = random.Random(seed * 1_000_003 + 15)
    domains = {t.organisation_id: t.email.split("@", 1)[1] for t in data.tutors if t.email}
    data.organisations[:] = [
        replace(o, phone=_phone(rng) if o.country == "FR" and rng.random() < 0.9 else None,
                email=f"contact@{domains[o.id]}" if o.id in domains and rng.random() < 0.8 else None,
                website=f"www.{domains[o.id]}" if o.id in domains and rng.random() < 0.5 else None,
                representative=f"{rng.choice(ADULT_FEMALE_NAMES + ADULT_MALE_NAMES)} {rng.choice(LAST_NAMES)}",
                representative_title=rng.choice(TITLES),
                notes="Accès par l'entrée du personnel ; badge remis le premier jour." if rng.random() < 0.15 else None)
        for o in data.organisations
    ]

    first_start = {}
    for p in data.placements:
        if p.student_id not in first_start or p.start < first_start[p.student_id]:
            first_start[p.student_id] = p.start
    students = {}
    for i, s in enumerate(data.students):
        if s.id in first_start and is_minor(s, first_start[s.id]):
            last = s.last_name
            mother = LegalRepresentative(last, rng.choice(ADULT_FEMALE_NAMES), "mère",
                                         f"{slug(last)}.famille{rng.randint(1, 99)}@parents.example", _phone(rng),
                                         f"{rng.randint(1, 80)} rue des Lilas, 35000 Rennes")
            reps = (mother,)
            if rng.random() < 0.6:
                reps += (LegalRepresentative(last, rng.choice(ADULT_MALE_NAMES), "père", None, _phone(rng), mother.address),)
            data.students[i] = replace(s, legal_representatives=reps)
        students[s.id] = data.students[i]

    codes = [c.code for c in COMPETENCES]
    tutors_email = {t.id: t.email for t in data.tutors}
    for i, p in enumerate(data.placements):
        if p.end < today - timedelta(days=400):
            continue  # old placements: kept as they were
        student = students[p.student_id]
        minor = is_minor(student, p.start)
        terms = PlacementTerms(
            daily_hours=7, weekly_hours=35, schedule=rng.choice(SCHEDULES), night_work=False,
            competences=tuple(sorted(rng.sample(codes, rng.randint(4, 7)), key=codes.index)),
            activities=rng.choice(ACTIVITIES), gratification="aucune (PFMP de moins de deux mois)",
            travel="carte de transport scolaire", meals="restaurant d'entreprise" if rng.random() < 0.4 else "à la charge de la famille",
            insurance="responsabilité civile de l'organisme d'accueil",
        )
        conv = p.convention
        if conv.status != "none":
            conv = replace(conv, generated_on=p.start - timedelta(days=rng.randint(30, 45)))
        if conv.status in ("sent", "signed"):
            conv = replace(conv, sent_on=(conv.generated_on or p.start) + timedelta(days=2))
        if conv.status == "signed" and conv.signed_on is not None:
            parties = {"school": conv.signed_on, "organisation": conv.signed_on, "student": conv.signed_on}
            if minor:
                parties["legal_representative"] = conv.signed_on
            conv = replace(conv, signatures=Signatures(**parties))
        elif conv.status == "sent" and rng.random() < 0.5:
            conv = replace(conv, signatures=Signatures(school=conv.sent_on, student=conv.sent_on))
        visits: tuple[Visit, ...] = ()
        if p.teacher and p.end < today:
            if rng.random() < 0.85:
                done = min(p.end, midpoint(p) - timedelta(days=rng.randint(0, 4)))
                visits = (Visit("v1", done, done, p.teacher, rng.choice(("sur_place", "sur_place", "telephone")),
                                rng.choice(REPORTS)),)
        elif p.teacher and p.start <= today <= p.end:
            planned = midpoint(p) + timedelta(days=rng.randint(-3, 3))
            if rng.random() < 0.7:
                planned = max(p.start, min(p.end, planned))
                done = planned if planned < today and rng.random() < 0.6 else None
                visits = (Visit("v1", planned, done, p.teacher, "sur_place", rng.choice(REPORTS) if done else None),)
        elif p.teacher and p.start <= today + timedelta(days=45) and rng.random() < 0.4:
            visits = (Visit("v1", max(p.start, midpoint(p)), None, p.teacher, rng.choice(("sur_place", "visio"))),)
        reminders: tuple[Reminder, ...] = ()
        email = tutors_email.get(p.tutor_id) if p.tutor_id else None
        if email and p.end < today and (p.attestation is None or not p.attestation.signed_by_tutor) \
                and p.end >= today - timedelta(days=60):
            sent = datetime.combine(p.end + timedelta(days=7), time(9, 15))
            if sent.date() < today:
                reminders = (Reminder(sent.isoformat(), "attestation", email, p.tutor_id),)
        data.placements[i] = replace(p, terms=terms, convention=conv, visits=visits, reminders=reminders)
