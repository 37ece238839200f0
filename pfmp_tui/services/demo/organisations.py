"""The demo's host organisations and their tutors: kinds of employers, valid SIRETs, one host abroad (R15)."""

from __future__ import annotations

import random

from ...domain.model import Organisation, Tutor
from ...domain.text import slug
from ...domain.validation import luhn_ok
from .draft import SchoolDraft
from .names import ADULT_FEMALE_NAMES, ADULT_MALE_NAMES, CITIES, FIGURES, FLOWERS, LAST_NAMES, STREETS

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


def mail_domain(name: str) -> str:
    """« Cabinet David Expertise comptable » → « cabinet-david-expertise.example » (whole words)."""
    words = slug(name).split("-")
    kept = [words[0]]
    for word in words[1:]:
        if len("-".join(kept)) + 1 + len(word) > 28:
            break
        kept.append(word)
    return "-".join(kept) + ".example"


def luhn_complete(body: str) -> str:
    """`body` followed by the one digit that makes the whole a valid Luhn number."""
    for digit in "0123456789":
        if luhn_ok(body + digit):
            return body + digit
    raise AssertionError("unreachable: one Luhn digit always fits")


def siret_for(rng: random.Random, prefix: str | None) -> str:
    """A SIREN with its Luhn key, then an establishment number (NIC) keyed the same way."""
    head = prefix if prefix is not None else str(rng.randint(3, 9))
    body = head + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(head)))
    if body.startswith("35600000"):  # La Poste's SIREN uses another key
        body = "4" + body[1:]
    siren = luhn_complete(body)
    return luhn_complete(siren + f"000{rng.randint(1, 4)}")


def build_organisations(draft: SchoolDraft, count: int) -> None:
    """`count` organisations (the fixed ones first, the host abroad last), each with one or two tutors."""
    rng = draft.rng
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
        specs.append((kind, name, city, address, mail_domain(name)))
    postcodes = dict(CITIES)
    tutor_number = 0
    for index, (kind, name, city, address, domain) in enumerate(specs, start=1):
        org = Organisation(
            id=f"org-{index:0{width}d}",
            name=name,
            siret=siret_for(rng, ORG_KINDS[kind][2]),
            address=address,
            postcode=postcodes[city],
            city=city,
            country="FR",
        )
        draft.data.organisations.append(org)
        draft.domestic.append(org)
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
        draft.tutors_of[org.id] = tutors
        draft.data.tutors.extend(tutors)
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
    draft.data.organisations.append(org)
    draft.data.tutors.append(tutor)
    draft.tutors_of[org.id] = [tutor]
    draft.abroad = org
