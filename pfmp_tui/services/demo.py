"""The demo school behind `pfmp demo`: a believable lycée professionnel, deterministic.

`build_demo(students, seed, today)` is a pure function of its arguments: the same
seed and the same `today` give the same `Dataset`, record for record. It uses its
own `random.Random(seed)` (never the global generator) and reads no clock: `today`
defaults to ``date.today()`` only at the public entry point.

What it builds, relative to `today` (the school year starts in September):
- four cohorts of the Bac Pro AGOrA, holiday zone B: « 2nde AGOrA », « 1re AGOrA »,
  « Tle AGOrA » (dossier deadline mid-May of their exam session, still to come) and a
  small « Tle AGOrA (session précédente) » whose deadline has passed, so that some
  candidates are « valide » and a few « non valide » (R14);
- six PFMP periods per cohort over its three-year cycle (3 + 3 weeks in 2nde,
  4 + 4 in 1re, 4 + 4 in Tle: 22 weeks, R1);
- every voie: scolaire in 3 years (R1) and in 2 years (R2), positionné (R3, R4),
  FPC (R5), FPC perfectionnement with certificats de travail (R6), apprentices with
  a contract and one without (R7), experienced candidates, one of them short (R8),
  and one dérogation with its reason;
- organisations (cabinets comptables, mairies, associations, PME, hospitals…) with
  valid SIRETs, one in Spain (R15), and their tutors;
- placements with conventions (a few signed late or not at all, R10), attestations
  (a few missing, unsigned or short, R11), and the tutors' assessments of the 37
  competences, rising period after period (a few missing, R12).

E-mail addresses use reserved ``example`` domains and phone numbers the ranges
ARCEP keeps for fiction, so nothing in the demo reaches a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.competences import COMPETENCES
from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import (
    Assessment,
    Attestation,
    Cohort,
    Contract,
    Convention,
    Dataset,
    Derogation,
    Organisation,
    Period,
    Placement,
    Student,
    Tutor,
    WorkCertificate,
)
from ..domain.text import slug
from ..domain.validation import format_date_fr, luhn_ok
from ..domain.workdays import add_working_days, working_days

__all__ = ["build_demo", "DEFAULT_STUDENTS", "MAX_STUDENTS"]

DEFAULT_STUDENTS = 90
MAX_STUDENTS = 100_000
HOLIDAY_ZONE = "B"  # académie de Rennes

# -- reference data -------------------------------------------------------------------

FEMALE_FIRST_NAMES = (
    "Chloé", "Léa", "Maëlys", "Anaïs", "Zoé", "Éloïse", "Héloïse", "Noémie", "Clémence", "Inès",
    "Océane", "Gaëlle", "Maëlle", "Léna", "Énora", "Rozenn", "Nolwenn", "Manon", "Camille", "Jade",
    "Louise", "Emma", "Sarah", "Yasmine", "Aïcha", "Salomé", "Célia", "Maïwenn", "Amélie", "Mélissa",
    "Justine", "Lou", "Lina", "Romane", "Ambre", "Axelle", "Émilie", "Laurène", "Soizic", "Bérénice",
)
MALE_FIRST_NAMES = (
    "Mathéo", "Théo", "Noé", "Raphaël", "Gaël", "Loïc", "Yanis", "Kévin", "Jérémy", "Mathis",
    "Lucas", "Hugo", "Enzo", "Nathan", "Maël", "Erwan", "Killian", "Ewen", "Bastien", "Adrien",
    "Timothée", "Clément", "Benoît", "Anaël", "Rayan", "Quentin", "Corentin", "Titouan", "Élouan", "Noah",
)
ADULT_FEMALE_NAMES = (
    "Sandrine", "Nathalie", "Isabelle", "Véronique", "Stéphanie", "Hélène", "Cécile", "Delphine", "Karine",
    "Laëtitia", "Gwénaëlle", "Valérie", "Aurélie", "Anne-Sophie", "Solène", "Béatrice", "Chloé", "Maëlle",
)
ADULT_MALE_NAMES = (
    "Sébastien", "Frédéric", "Jérôme", "François", "Pascal", "Christophe", "Yannick", "Jean-Michel",
    "Thierry", "Loïc", "Gaël", "Olivier",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Le Gall", "Le Goff",
    "Le Bihan", "Guého", "Jégou", "Hervé", "Ménard", "Gérard", "Rivière", "Barbé", "Lemaître", "Chevalier",
    "Benoît", "Bœuf", "Lebœuf", "Cœur", "Le Corre", "Quéré", "Prigent", "Guégan", "Hamon", "Daniel",
    "Tanguy", "Le Roux", "Rault", "Gicquel", "Pelé", "Févrié", "Brégeon", "Renaud", "Besnard", "Collin",
    "Boucher", "Fontaine", "Caron", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont",
    "Lopez", "Benali", "Nguyen", "Diallo", "Ferreira", "Haddad", "Kowalski", "Traoré", "Da Silva", "Ozturk",
)
# (first name, last name) of the professeurs référents; logins derive from them (« mdurand »).
TEACHERS = (
    ("Mathilde", "Durand"),
    ("Yann", "Le Bihan"),
    ("Sophie", "Perrin"),
    ("Karim", "Benali"),
    ("Anne", "Guého"),
)
# Ille-et-Vilaine (académie de Rennes, zone B): city, postcode.
CITIES = (
    ("Rennes", "35000"), ("Saint-Malo", "35400"), ("Vitré", "35500"), ("Fougères", "35300"),
    ("Redon", "35600"), ("Cesson-Sévigné", "35510"), ("Bruz", "35170"), ("Saint-Grégoire", "35760"),
    ("Betton", "35830"), ("Chantepie", "35135"), ("Pacé", "35740"), ("Montfort-sur-Meu", "35160"),
    ("Châteaugiron", "35410"), ("Janzé", "35150"), ("Liffré", "35340"), ("Dinard", "35800"),
    ("Combourg", "35270"), ("Guichen", "35580"), ("Le Rheu", "35650"), ("Saint-Jacques-de-la-Lande", "35136"),
    ("Thorigné-Fouillard", "35235"), ("Bain-de-Bretagne", "35470"), ("Mordelles", "35310"),
    ("La Guerche-de-Bretagne", "35130"),
)
STREETS = (
    "rue de la République", "boulevard de la Liberté", "avenue du Général-Leclerc", "rue Jean-Jaurès",
    "rue des Écoles", "rue Victor-Hugo", "rue Pasteur", "allée des Tilleuls", "quai Émile-Zola",
    "rue de Brest", "rue d'Antrain", "avenue Janvier", "rue de Nantes", "rue du Général-de-Gaulle",
    "rue de l'Industrie", "impasse des Lilas", "rue des Artisans", "place du Marché", "rue Saint-Malo",
    "boulevard Voltaire", "chemin de la Motte", "rue de la Gare", "avenue de la Libération", "rue de Paris",
)
FLOWERS = ("Les Tilleuls", "Les Glycines", "Les Hortensias", "Le Clos fleuri", "Les Camélias", "Ker Avel")
FIGURES = ("Jules-Verne", "Anne-de-Bretagne", "Jacques-Prévert", "Victor-Hugo", "Simone-Veil", "Paul-Féval")

# kind -> (name templates, tutors' job titles « masculine|feminine », SIREN prefix or None for a random one)
ORG_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    "cabinet": (
        ("Cabinet {nom} Expertise comptable", "{nom} & Associés, experts-comptables",
         "Cabinet comptable {nom}", "Fiduciaire {nom} Conseil", "{nom} Audit et Gestion"),
        ("Expert-comptable|Experte-comptable", "Collaborateur comptable|Collaboratrice comptable",
         "Responsable du service paie", "Assistant de cabinet|Assistante de cabinet"),
        None,
    ),
    "pme": (
        ("Transports {nom}", "Menuiserie {nom}", "Garage {nom} Automobiles", "Boulangerie-pâtisserie {nom}",
         "Imprimerie {nom}", "{nom} Bâtiment", "Agence immobilière {nom}", "Plomberie-chauffage {nom}",
         "Paysages {nom}", "Électricité générale {nom}", "Quincaillerie {nom}", "Biscuiterie {nom}",
         "Cidrerie {nom}", "Librairie {nom}", "Pharmacie {nom}", "Clinique vétérinaire de {ville}"),
        ("Gérant|Gérante", "Assistant de direction|Assistante de direction",
         "Responsable administratif et financier|Responsable administrative et financière",
         "Assistant commercial|Assistante commerciale", "Comptable"),
        None,
    ),
    "mairie": (
        ("Mairie de {ville}",),
        ("Secrétaire général de mairie|Secrétaire générale de mairie",
         "Directeur général des services|Directrice générale des services",
         "Responsable des ressources humaines", "Chargé d'accueil|Chargée d'accueil"),
        "2135",
    ),
    "association": (
        ("Association Familles rurales de {ville}", "ADMR de {ville}", "Maison des jeunes et de la culture de {ville}",
         "Office municipal des sports de {ville}", "Association Entraide et Solidarité {ville}",
         "Comité des fêtes de {ville}"),
        ("Directeur de l'association|Directrice de l'association",
         "Coordinateur administratif|Coordinatrice administrative", "Trésorier bénévole|Trésorière bénévole",
         "Assistant de gestion|Assistante de gestion"),
        "7",
    ),
    "sante": (
        ("Centre hospitalier de {ville}", "EHPAD résidence {fleur}", "Centre de santé de {ville}"),
        ("Cadre administratif de santé|Cadre administrative de santé",
         "Adjoint des cadres hospitaliers|Adjointe des cadres hospitaliers", "Responsable des admissions",
         "Secrétaire médical|Secrétaire médicale"),
        "26",
    ),
    "public": (
        ("Collège {figure} de {ville}", "Office de tourisme de {ville}", "Centre communal d'action sociale de {ville}"),
        ("Secrétaire de direction", "Gestionnaire", "Directeur|Directrice", "Adjoint administratif|Adjointe administrative"),
        "2035",
    ),
}
ORG_KIND_WEIGHTS = (("cabinet", 25), ("pme", 30), ("mairie", 14), ("association", 15), ("sante", 9), ("public", 7))

# Organisations present in every demo: (kind, name, city, address, e-mail domain).
FIXED_ORGANISATIONS = (
    ("sante", "CHU de Rennes — Direction des affaires médicales", "Rennes", "2 rue Henri-Le-Guilloux",
     "chu-rennes.example"),
    ("pme", "Œnothèque des Lices", "Rennes", "18 place des Lices", "oenotheque-des-lices.example"),
    ("public", "Crous Rennes Bretagne — Centre régional des œuvres universitaires et scolaires", "Rennes",
     "7 place Hoche", "crous-rennes.example"),
    ("mairie", "Mairie de Rennes", "Rennes", "place de la Mairie", "mairie-rennes.example"),
    ("cabinet", "Cabinet Lemaître & Associés, experts-comptables", "Cesson-Sévigné", "3 rue de la Rigourdière",
     "lemaitre-associes.example"),
)
# The host abroad (R15: a PFMP in the EU can validate the unité facultative de mobilité).
ABROAD = {
    "name": "Gestoría Martínez y Asociados S.L.",
    "address": "Calle de Colón 12",
    "postcode": "46004",
    "city": "Valencia",
    "country": "ES",
    "tutor": ("Fernández", "Lucía", "Responsable administrativa"),
}

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
FRENCH_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                 "octobre", "novembre", "décembre")

# The six PFMP periods of a three-year cycle (R1: 22 weeks over several periods):
# (number, class year 0 = 2nde / 1 = 1re / 2 = Tle, anchor month, anchor day, weeks).
# A period starts on the Monday on or after its anchor and lasts whole weeks.
PERIOD_PLAN = (
    (1, 0, 1, 5, 3),
    (2, 0, 5, 25, 3),
    (3, 1, 11, 16, 4),
    (4, 1, 3, 15, 4),
    (5, 2, 9, 14, 4),
    (6, 2, 1, 11, 4),
)
CLASS_NAMES = ("2nde", "1re", "Tle")
# FPC (R5, 22 weeks in the exam year, outside the cohort's periods):
# (anchor month, anchor day, weeks); Sep–Dec in the exam year's first calendar year.
FPC_BLOCKS = ((9, 21, 5), (11, 9, 6), (1, 4, 6), (3, 1, 5))
# Periods each profile is placed in (cohort periods by number).
PROFILE_PERIODS = {
    "regular": (1, 2, 3, 4, 5, 6),
    "cycle2": (3, 4, 5, 6),  # joined in 1re (from a 2nde générale or a CAP): 16 weeks, R2
    "positioned": (3, 4, 5, 6),  # positionné by the Recteur, joined in 1re: 10 weeks required, R3
    "derogation": (1, 2, 3, 5, 6),  # missed period 4: 18 weeks by dérogation
    "fpc_positioned": (5, 6),  # 8 weeks, R4
}

# Special profiles per cohort, most important first (a small cohort keeps the first ones).
# (kind, issue): issue is a defect planted on purpose, None for a clean record.
SPECIALS = {
    "tle": (
        ("regular", "missing_old"),  # R11: an attestation of 1re never came back → à risque
        ("apprentice", None),  # R7 with contract → valide
        ("perf_part_time", None),  # R6 → valide
        ("fpc", None),  # R5
        ("experience", None),  # R8, 3 years and more → valide
        ("apprentice_no_contract", None),  # R7 → à risque
        ("experience_short", None),  # R8 short → à risque
        ("derogation", None),
        ("positioned", None),  # R3
        ("fpc_positioned", None),  # R4
        ("perf_full_time", None),  # R6
        ("cycle2", None),  # R2
        ("regular", "short_old"),  # absences: the plan falls short → à risque
        ("regular", "unsigned_old"),  # R11 unsigned → à risque
        ("regular", "abroad"),  # R15, period 4 in Spain
        ("regular", "no_convention"),  # R10 warning
        ("cycle2", None),
    ),
    "1re": (
        ("regular", "unsigned_old"),
        ("cycle2", None),
        ("apprentice", None),
        ("regular", "late_convention"),
        ("cycle2", None),
        ("regular", "abroad"),  # planned: period 4 in Spain
        ("regular", "missing_old"),
    ),
    "2nde": (
        ("apprentice", None),
    ),
    # Session passed: the first ones are « non valide » (R14), the others valide.
    "prev": (
        ("regular", "missing_old"),  # R11
        ("regular", "short_all"),  # R1 WEEKS_SHORT
        ("perf_short", None),  # R6
    ),
}
ADULT_KINDS = frozenset({"fpc", "fpc_positioned", "perf_part_time", "perf_full_time", "perf_short",
                         "experience", "experience_short"})

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


# -- small helpers --------------------------------------------------------------------

def _mail_domain(name: str) -> str:
    """« Cabinet David Expertise comptable » → « cabinet-david-expertise.example » (whole words)."""
    words = slug(name).split("-")
    kept = [words[0]]
    for word in words[1:]:
        if len("-".join(kept)) + 1 + len(word) > 28:
            break
        kept.append(word)
    return "-".join(kept) + ".example"


def _login(first: str, last: str) -> str:
    return slug(first)[0] + slug(last).replace("-", "")


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def _weeks_span(anchor: date, weeks: int) -> tuple[date, date]:
    start = _monday_on_or_after(anchor)
    return start, add_working_days(start, weeks * 5)


def _luhn_complete(body: str) -> str:
    """`body` followed by the one digit that makes the whole a valid Luhn number."""
    for digit in "0123456789":
        if luhn_ok(body + digit):
            return body + digit
    raise AssertionError("unreachable: one Luhn digit always fits")


def _siret(rng: random.Random, prefix: str | None) -> str:
    """A SIREN with its Luhn key, then an establishment number (NIC) keyed the same way."""
    head = prefix if prefix is not None else str(rng.randint(3, 9))
    body = head + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(head)))
    if body.startswith("35600000"):  # La Poste's SIREN uses another key
        body = "4" + body[1:]
    siren = _luhn_complete(body)
    return _luhn_complete(siren + f"000{rng.randint(1, 4)}")


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@dataclass(frozen=True, slots=True)
class _CohortPlan:
    role: str  # "2nde" | "1re" | "tle" | "prev"
    cohort: Cohort
    periods: dict[int, Period]  # by PFMP number

    @property
    def cycle_start(self) -> int:
        """Calendar year in which the cohort entered 2nde."""
        return self.cohort.exam_session - 3


# -- the builder ----------------------------------------------------------------------

class _Builder:
    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.data = Dataset()
        self.ines: set[str] = set()
        self.emails: set[str] = set()
        self.domestic: list[Organisation] = []
        self.abroad: Organisation | None = None
        self.tutors_of: dict[str, list[Tutor]] = {}
        self.teachers = [_login(f, l) for f, l in TEACHERS]

    # cohorts and periods
    def cohorts(self) -> dict[str, _CohortPlan]:
        year = self.today.year if self.today.month >= 9 else self.today.year - 1
        specs = (
            ("2nde", f"2nde-agora-{year + 3}", "2nde AGOrA", year + 3),
            ("1re", f"1re-agora-{year + 2}", "1re AGOrA", year + 2),
            ("tle", f"tle-agora-{year + 1}", "Tle AGOrA", year + 1),
            ("prev", f"tle-agora-{year}", "Tle AGOrA (session précédente)", year),
        )
        plans = {}
        for role, cohort_id, label, session in specs:
            cohort = Cohort(
                id=cohort_id,
                label=label,
                exam_session=session,
                dossier_deadline=_friday_on_or_before(date(session, 5, 15)),
                holiday_zone=HOLIDAY_ZONE,
            )
            self.data.cohorts.append(cohort)
            periods = {}
            for number, class_year, month, day, weeks in PERIOD_PLAN:
                cal_year = session - 3 + class_year + (1 if month < 9 else 0)
                start, end = _weeks_span(date(cal_year, month, day), weeks)
                period = Period(
                    id=f"per-{cohort_id}-{number}",
                    cohort_id=cohort_id,
                    label=f"PFMP {number} — {CLASS_NAMES[class_year]} ({FRENCH_MONTHS[start.month - 1]} {start.year})",
                    start=start,
                    end=end,
                )
                periods[number] = period
                self.data.periods.append(period)
            plans[role] = _CohortPlan(role, cohort, periods)
        return plans

    # organisations and tutors
    def organisations(self, count: int) -> None:
        rng = self.rng
        width = max(3, len(str(count + 1)))
        names: set[str] = set()
        specs: list[tuple[str, str, str, str, str]] = []  # kind, name, city, address, e-mail domain
        for kind, name, city, address, domain in FIXED_ORGANISATIONS:
            specs.append((kind, name, city, address, domain))
            names.add(name)
        kinds = [k for k, _ in ORG_KIND_WEIGHTS]
        weights = [w for _, w in ORG_KIND_WEIGHTS]
        while len(specs) < count - 1:
            kind = rng.choices(kinds, weights)[0]
            template = rng.choice(ORG_KINDS[kind][0])
            city, _ = rng.choice(CITIES)
            name = template.format(nom=rng.choice(LAST_NAMES), ville=city, fleur=rng.choice(FLOWERS),
                                   figure=rng.choice(FIGURES))
            if name in names:
                continue
            names.add(name)
            address = "place de la Mairie" if kind == "mairie" else f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
            specs.append((kind, name, city, address, _mail_domain(name)))
        postcodes = dict(CITIES)
        tutor_number = 0
        for index, (kind, name, city, address, domain) in enumerate(specs, start=1):
            org = Organisation(
                id=f"org-{index:0{width}d}",
                name=name,
                siret=_siret(rng, ORG_KINDS[kind][2]),
                address=address,
                postcode=postcodes[city],
                city=city,
                country="FR",
            )
            self.data.organisations.append(org)
            self.domestic.append(org)
            tutors = []
            for _ in range(1 if rng.random() < 0.55 else 2):
                tutor_number += 1
                female = rng.random() < 0.7
                first = rng.choice(ADULT_FEMALE_NAMES if female else ADULT_MALE_NAMES)
                masculine, _, feminine = rng.choice(ORG_KINDS[kind][1]).partition("|")
                last = rng.choice(LAST_NAMES)
                phone = (f"02 61 91 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}" if rng.random() < 0.6
                         else f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}")
                tutors.append(Tutor(
                    id=f"tut-{tutor_number:0{width}d}",
                    organisation_id=org.id,
                    last_name=last,
                    first_name=first,
                    email=f"{slug(first)}.{slug(last)}@{domain}" if rng.random() < 0.9 else None,
                    phone=phone if rng.random() < 0.85 else None,
                    job_title=(feminine or masculine) if female else masculine,
                ))
            self.tutors_of[org.id] = tutors
            self.data.tutors.extend(tutors)
        # The host abroad, last.
        index = len(specs) + 1
        org = Organisation(
            id=f"org-{index:0{width}d}",
            name=ABROAD["name"],
            siret=None,
            address=ABROAD["address"],
            postcode=ABROAD["postcode"],
            city=ABROAD["city"],
            country=ABROAD["country"],
        )
        last, first, title = ABROAD["tutor"]
        tutor_number += 1
        tutor = Tutor(
            id=f"tut-{tutor_number:0{width}d}",
            organisation_id=org.id,
            last_name=last,
            first_name=first,
            email=f"{slug(first)}.{slug(last)}@gestoria-martinez.example",
            phone=None,
            job_title=title,
        )
        self.data.organisations.append(org)
        self.data.tutors.append(tutor)
        self.tutors_of[org.id] = [tutor]
        self.abroad = org

    # students
    def _ine(self, apprentice_year: int | None) -> str:
        rng = self.rng
        while True:
            letter = chr(ord("A") + rng.randrange(26))
            if apprentice_year is not None:
                ine = f"{apprentice_year}A{rng.randrange(100_000):05d}{letter}"
            else:
                ine = f"{rng.randrange(10**10):010d}{letter}"
            if ine not in self.ines:
                self.ines.add(ine)
                return ine

    def _email(self, first: str, last: str, domain: str) -> str:
        local = f"{slug(first)}.{slug(last)}"
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def student(self, sid: str, plan: _CohortPlan, kind: str) -> Student:
        rng = self.rng
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
            ine = self._ine(plan.cycle_start + (0 if plan.role == "2nde" else 1))
        elif kind.startswith("experience") or (adult and rng.random() < 0.4):
            ine = None
        else:
            ine = self._ine(None)
        if adult:
            email = self._email(first, last, "stagiaires.example.org") if rng.random() < 0.9 else None
        else:
            email = self._email(first, last, "eleves.example.org") if rng.random() < 0.4 else None
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

    # placements, attestations, assessments
    def _convention(self, start: date, issue: str | None) -> Convention:
        rng, today = self.rng, self.today
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

    def _activities(self) -> str:
        chosen = self.rng.sample(ACTIVITIES, self.rng.randint(3, 5))
        text = " ; ".join(chosen)
        return text[0].upper() + text[1:] + "."

    def placements(self, student: Student, plan: _CohortPlan, kind: str, issue: str | None, number: str) -> None:
        rng, today = self.rng, self.today
        # start, end, period, step: the period's number (1..6), which also sets the assessed levels
        spans: list[tuple[date, date, Period | None, int]] = []
        if kind == "fpc":
            first_year = plan.cohort.exam_session - 1
            for step, (month, day, weeks) in enumerate(FPC_BLOCKS, start=3):  # adults: levels of 1re–Tle
                start, end = _weeks_span(date(first_year + (1 if month < 9 else 0), month, day), weeks)
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
        teacher = rng.choice(self.teachers)
        previous_org: Organisation | None = None
        for index, (start, end, period, step) in enumerate(spans, start=1):
            if issue == "abroad" and period is not None and step == 4:
                org = self.abroad
            elif previous_org is not None and rng.random() < 0.35:
                org = previous_org
            else:
                org = rng.choice(self.domestic)
            previous_org = org if org is not self.abroad else None
            tutor = rng.choice(self.tutors_of[org.id])
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
                        activities=self._activities(),
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
                convention=self._convention(start, issue),
                attestation=attestation,
            )
            self.data.placements.append(placement)
            if assessed:
                self._assess(placement, step, ability)

    def _assess(self, placement: Placement, step: int, ability: float) -> None:
        rng = self.rng
        random_ = rng.random
        when = placement.attestation.received_on if placement.attestation else placement.end
        base = BASE_LEVEL[step] + ability
        p_none = P_NOT_ASSESSED[step]
        prefix = "asm" + placement.id[3:]
        out = self.data.assessments
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

    # certificates and contracts
    def justificatifs(self, student: Student, plan: _CohortPlan, kind: str, cert_counter: list[int],
                      contract_counter: list[int], width: int) -> None:
        rng = self.rng
        session = plan.cohort.exam_session

        def employer() -> str:
            return rng.choice(self.domestic).name

        def cert(start: date, end: date, full_time: bool) -> None:
            cert_counter[0] += 1
            self.data.work_certificates.append(WorkCertificate(
                id=f"cert-{cert_counter[0]:0{width}d}", student_id=student.id, employer=employer(),
                start=start, end=end, full_time=full_time))

        if kind == "apprentice":
            contract_counter[0] += 1
            entered = session - (3 if plan.role == "2nde" else 2)
            self.data.contracts.append(Contract(
                id=f"ctr-{contract_counter[0]:0{width}d}", student_id=student.id, employer=employer(),
                start=_monday_on_or_after(date(entered, 9, 1)), end=date(session, 7, 31)))
        elif kind == "perf_part_time":  # R6: a year part time within the 24 months before the deadline
            cert(date(session - 3, 9, 1), date(session - 1, 8, 31), False)
        elif kind == "perf_full_time":  # R6: two employers, full time
            cert(date(session - 4, 10, 2), date(session - 2, 12, 20), True)
            cert(date(session - 1, 1, 6), date(session - 1, 8, 29), True)
        elif kind == "perf_short":  # R6 not met: seven months part time before the deadline
            cert(date(session - 1, 9, 1), date(session, 3, 31), False)
        elif kind == "experience":  # R8: more than 3 years
            first = rng.randint(session - 12, session - 8)
            cert(date(first, 3, 1), date(first + 2, 6, 30), True)
            cert(date(first + 2, 9, 1), date(first + 4, 1, 31), True)
        elif kind == "experience_short":  # R8 not met: 2 years and 3 months
            first = rng.randint(session - 9, session - 5)
            cert(date(first, 4, 1), date(first + 2, 6, 30), True)

    # everything
    def build(self, students: int) -> Dataset:
        plans = self.cohorts()
        # 25 to 40 hosts for a usual school, more for the large ones (benchmarks).
        org_count = min(max(25, students // 3), 40) + max(0, students - 600) // 20
        self.organisations(org_count)
        prev_size = max(1, students // 10) if students >= 4 else 0
        tle, first, second = _split(students - prev_size, 3)
        sizes = {"2nde": second, "1re": first, "tle": tle, "prev": prev_size}
        width = max(4, len(str(students)))
        counter = 0
        cert_counter, contract_counter = [0], [0]
        for role in ("2nde", "1re", "tle", "prev"):
            plan, size = plans[role], sizes[role]
            specials = SPECIALS[role]
            if role == "prev":
                specials = specials[: min(3, size // 2)]
            else:  # larger schools keep the same mix of voies and defects
                specials = specials * max(1, size // 27)
            profiles = list(specials[:size]) + [("regular", None)] * max(0, size - len(specials))
            self.rng.shuffle(profiles)
            for kind, issue in profiles:
                counter += 1
                number = f"{counter:0{width}d}"
                student = self.student(f"stu-{number}", plan, kind)
                self.data.students.append(student)
                self.placements(student, plan, kind, issue, number)
                self.justificatifs(student, plan, kind, cert_counter, contract_counter, width)
        return self.data


def _build(students: int, seed: int, *, today: date) -> Dataset:
    return _Builder(seed, today).build(students)


def build_demo(students: int = DEFAULT_STUDENTS, seed: int = 1, today: date | None = None) -> Dataset:
    """A believable demo school of exactly `students` learners, the same for the same seed and day.

    Raises ValidationFailed (bad input, exit 2) when `students` is out of range.
    """
    if isinstance(students, bool) or not isinstance(students, int) or not 1 <= students <= MAX_STUDENTS:
        raise ValidationFailed(FieldError(
            "--students", f"nombre d'élèves invalide « {students} » (entre 1 et {MAX_STUDENTS})"))
    return _build(students, seed, today=today if today is not None else date.today())
