"""The fields a convention template can use, and their values for one placement.

A school's own Word model names fields Jinja-style (``{{ eleve.nom }}``, loops such as
``{% for r in eleve.representants %}``); `FIELDS` is the list of every one of them, with
what it holds (``pfmp paper convention --fields``), and `convention_context` gives their
values. Pure: the school's identity comes in as a `SchoolInfo`.

Every value is text (dates JJ/MM/AAAA, empty when unknown) except the booleans
(``eleve.mineur``, ``stage.travail_nuit``) and the lists (``eleve.representants``,
``stage.competences``, ``stages``, ``signataires``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .competences import activity, competence
from .convention import age_on, is_minor, total_hours
from .model import CONVENTION_LABELS, SIGNATORY_LABELS, VOIE_LABELS, Dataset, Placement, Student
from .validation import format_date_fr
from .workdays import working_days


@dataclass(frozen=True, slots=True)
class SchoolInfo:
    name: str = ""
    uai: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    head: str = ""
    head_title: str = "Chef d'établissement"
    phone: str = ""
    email: str = ""
    insurance: str = ""


@dataclass(frozen=True, slots=True)
class TeacherInfo:
    login: str
    name: str
    email: str | None = None


class Fields(dict):
    """A dict that knows its place in the context (``eleve``, ``stage.competences[]``),
    so that a template's unknown field is reported by its full name."""

    def __init__(self, path: str, values: dict[str, Any]):
        super().__init__(values)
        self.path = path


# (name, what it holds). Items of lists are described with « [] ».
FIELDS: tuple[tuple[str, str], ...] = (
    ("date_du_jour", "date du jour de la génération"),
    ("etablissement.nom", "nom de l'établissement"),
    ("etablissement.uai", "code UAI (RNE)"),
    ("etablissement.adresse", "adresse"),
    ("etablissement.code_postal", "code postal"),
    ("etablissement.ville", "ville"),
    ("etablissement.chef", "chef d'établissement (nom)"),
    ("etablissement.chef_qualite", "sa qualité (proviseur, proviseure…)"),
    ("etablissement.telephone", "téléphone"),
    ("etablissement.courriel", "courriel"),
    ("etablissement.assurance", "assurance responsabilité civile de l'établissement"),
    ("organisme.nom", "organisme d'accueil : raison sociale"),
    ("organisme.siret", "SIRET"),
    ("organisme.adresse", "adresse (rue)"),
    ("organisme.code_postal", "code postal"),
    ("organisme.ville", "ville"),
    ("organisme.pays", "pays (code ISO)"),
    ("organisme.adresse_complete", "adresse sur une ligne"),
    ("organisme.telephone", "téléphone"),
    ("organisme.courriel", "courriel"),
    ("organisme.site", "site web"),
    ("organisme.representant", "représentant qui signe la convention"),
    ("organisme.representant_qualite", "sa qualité (gérant, DRH…)"),
    ("eleve.nom", "nom de l'élève (majuscules)"),
    ("eleve.prenom", "prénom"),
    ("eleve.nom_complet", "prénom et nom"),
    ("eleve.date_naissance", "date de naissance"),
    ("eleve.age", "âge au début du stage"),
    ("eleve.mineur", "vrai si l'élève a moins de 18 ans au début du stage (booléen)"),
    ("eleve.classe", "classe (cohorte)"),
    ("eleve.ine", "INE"),
    ("eleve.courriel", "courriel"),
    ("eleve.voie", "voie (scolaire, apprentissage…)"),
    ("eleve.representants", "représentants légaux (liste)"),
    ("eleve.representants[].nom", "nom"),
    ("eleve.representants[].prenom", "prénom"),
    ("eleve.representants[].nom_complet", "prénom et nom"),
    ("eleve.representants[].lien", "lien avec l'élève (mère, père…)"),
    ("eleve.representants[].courriel", "courriel"),
    ("eleve.representants[].telephone", "téléphone"),
    ("eleve.representants[].adresse", "adresse"),
    ("tuteur.nom", "tuteur : nom"),
    ("tuteur.prenom", "prénom"),
    ("tuteur.nom_complet", "prénom et nom"),
    ("tuteur.fonction", "fonction"),
    ("tuteur.telephone", "téléphone"),
    ("tuteur.courriel", "courriel"),
    ("referent.identifiant", "enseignant référent : identifiant"),
    ("referent.nom", "nom (réglages [teachers])"),
    ("referent.courriel", "courriel"),
    ("stage.identifiant", "identifiant du stage"),
    ("stage.periode", "période (libellé)"),
    ("stage.debut", "date de début"),
    ("stage.fin", "date de fin"),
    ("stage.jours", "durée en jours ouvrés"),
    ("stage.semaines", "durée en semaines"),
    ("stage.duree_heures", "durée totale en heures (7 h par jour si l'horaire n'est pas fixé)"),
    ("stage.heures_jour", "heures par jour"),
    ("stage.heures_semaine", "heures par semaine"),
    ("stage.horaires", "horaires (texte)"),
    ("stage.travail_nuit", "vrai si du travail de nuit est prévu (booléen ; interdit aux mineurs)"),
    ("stage.activites", "activités prévues (annexe pédagogique)"),
    ("stage.competences", "compétences visées (liste, parmi les 37)"),
    ("stage.competences[].code", "code (1.1.1 … 3.3.4)"),
    ("stage.competences[].libelle", "libellé de la compétence"),
    ("stage.competences[].activite", "activité du référentiel"),
    ("stage.gratification", "gratification"),
    ("stage.transport", "frais de transport"),
    ("stage.restauration", "restauration, hébergement"),
    ("stage.assurance", "assurance de l'organisme d'accueil"),
    ("convention.statut", "état de la convention (aucune, brouillon, envoyée, signée)"),
    ("convention.signee_le", "date de signature"),
    ("stages", "tous les stages de l'élève (liste, pour un modèle qui les énumère)"),
    ("stages[].periode", "période"),
    ("stages[].debut", "début"),
    ("stages[].fin", "fin"),
    ("stages[].jours", "jours ouvrés"),
    ("stages[].organisme", "organisme d'accueil"),
    ("signataires", "qui signe (liste)"),
    ("signataires[].role", "rôle (chef d'établissement, élève…)"),
    ("signataires[].nom", "nom"),
)
FIELD_NAMES = frozenset(name for name, _ in FIELDS)


def _t(value: Any) -> str:
    return "" if value is None else str(value)


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


def _address_line(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def convention_context(data: Dataset, placement: Placement, school: SchoolInfo,
                       teacher: TeacherInfo | None, today: date) -> Fields:
    """The values of every field of `FIELDS` for `placement`."""
    students = {s.id: s for s in data.students}
    orgs = {o.id: o for o in data.organisations}
    tutors = {t.id: t for t in data.tutors}
    periods = {p.id: p for p in data.periods}
    cohorts = {c.id: c for c in data.cohorts}
    student: Student = students[placement.student_id]
    org = orgs[placement.organisation_id]
    tutor = tutors.get(placement.tutor_id) if placement.tutor_id else None
    period = periods.get(placement.period_id) if placement.period_id else None
    cohort = cohorts.get(student.cohort_id)
    terms = placement.terms
    days = working_days(placement.start, placement.end)
    minor = is_minor(student, placement.start)

    reps = [Fields("eleve.representants[]", {
        "nom": r.last_name.upper(), "prenom": r.first_name, "nom_complet": r.full_name, "lien": _t(r.relation),
        "courriel": _t(r.email), "telephone": _t(r.phone), "adresse": _t(r.address),
    }) for r in student.legal_representatives]
    comps = []
    for code in (terms.competences if terms else ()):
        c = competence(code)
        comps.append(Fields("stage.competences[]", {"code": code, "libelle": c.label, "activite": activity(c.activity).label}))
    own = sorted((p for p in data.placements if p.student_id == student.id), key=lambda p: (p.start, p.id))
    stages = [Fields("stages[]", {
        "periode": periods[p.period_id].label if p.period_id in periods else "",
        "debut": format_date_fr(p.start), "fin": format_date_fr(p.end),
        "jours": str(working_days(p.start, p.end)), "organisme": orgs[p.organisation_id].name,
    }) for p in own]
    student_name = f"{student.first_name} {student.last_name.upper()}"
    signers = [("school", f"{school.head}".strip()), ("organisation", _t(org.representative)),
               ("student", student_name)]
    if minor:
        signers += [("legal_representative", r.full_name) for r in student.legal_representatives] or [
            ("legal_representative", "")]
    signers += [("tutor", tutor.full_name if tutor else ""), ("teacher", teacher.name if teacher else "")]
    signataires = [Fields("signataires[]", {"role": SIGNATORY_LABELS[role], "nom": name}) for role, name in signers]

    return Fields("", {
        "date_du_jour": format_date_fr(today),
        "etablissement": Fields("etablissement", {
            "nom": school.name, "uai": school.uai, "adresse": school.address, "code_postal": school.postcode,
            "ville": school.city, "chef": school.head, "chef_qualite": school.head_title,
            "telephone": school.phone, "courriel": school.email, "assurance": school.insurance,
        }),
        "organisme": Fields("organisme", {
            "nom": org.name, "siret": _t(org.siret), "adresse": _t(org.address), "code_postal": _t(org.postcode),
            "ville": _t(org.city), "pays": org.country,
            "adresse_complete": _address_line(org.address, " ".join(x for x in (org.postcode, org.city) if x),
                                              None if org.country == "FR" else org.country),
            "telephone": _t(org.phone), "courriel": _t(org.email), "site": _t(org.website),
            "representant": _t(org.representative), "representant_qualite": _t(org.representative_title),
        }),
        "eleve": Fields("eleve", {
            "nom": student.last_name.upper(), "prenom": student.first_name, "nom_complet": student_name,
            "date_naissance": format_date_fr(student.birth_date),
            "age": "" if student.birth_date is None else str(age_on(student.birth_date, placement.start)),
            "mineur": minor, "classe": cohort.label if cohort else student.cohort_id, "ine": _t(student.ine),
            "courriel": _t(student.email), "voie": VOIE_LABELS.get(student.voie, student.voie),
            "representants": reps,
        }),
        "tuteur": Fields("tuteur", {
            "nom": tutor.last_name.upper() if tutor else "", "prenom": tutor.first_name if tutor else "",
            "nom_complet": tutor.full_name if tutor else "", "fonction": _t(tutor.job_title) if tutor else "",
            "telephone": _t(tutor.phone) if tutor else "", "courriel": _t(tutor.email) if tutor else "",
        }),
        "referent": Fields("referent", {
            "identifiant": _t(placement.teacher), "nom": teacher.name if teacher else "",
            "courriel": _t(teacher.email) if teacher else "",
        }),
        "stage": Fields("stage", {
            "identifiant": placement.id, "periode": period.label if period else "",
            "debut": format_date_fr(placement.start), "fin": format_date_fr(placement.end),
            "jours": str(days), "semaines": _hours(days / 5),
            "duree_heures": _hours(total_hours(placement, days)),
            "heures_jour": _hours(terms.daily_hours if terms else None),
            "heures_semaine": _hours(terms.weekly_hours if terms else None),
            "horaires": _t(terms.schedule if terms else None),
            "travail_nuit": bool(terms and terms.night_work),
            "activites": _t(terms.activities if terms else None),
            "competences": comps,
            "gratification": _t(terms.gratification if terms else None),
            "transport": _t(terms.travel if terms else None),
            "restauration": _t(terms.meals if terms else None),
            "assurance": _t(terms.insurance if terms else None),
        }),
        "convention": Fields("convention", {
            "statut": CONVENTION_LABELS.get(placement.convention.status, placement.convention.status),
            "signee_le": format_date_fr(placement.convention.signed_on),
        }),
        "stages": stages,
        "signataires": signataires,
    })
