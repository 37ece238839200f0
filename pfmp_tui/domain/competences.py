"""Competences of the Bac Pro AGOrA assessed in the document de liaison.

Pure data (référentiel de compétences, Annexe I-b of the Bac Pro « Assistance à la
gestion des organisations et de leurs activités »), standard library only.

Codes are ``bloc.activity.n``, ``n`` counting the competences of an activity in
the order of DOMAIN.md: ``1.1.1`` … ``3.3.4``, 37 in total (12 + 13 + 12).

The référentiel lists the « indicateurs d'évaluation des compétences » once per
activity, for the whole group of competences of that activity, without tying an
indicator to a single competence. Each competence therefore carries the
indicators of its activity (shared, in the référentiel's order). Texts are
verbatim, apart from typographic apostrophes written as ``'`` (like the labels)
and a trailing full stop dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Competence",
    "Activity",
    "Bloc",
    "BLOCS",
    "COMPETENCES",
    "COMPETENCE_CODES",
    "LEVELS",
    "competence",
    "activity",
]


@dataclass(frozen=True, slots=True)
class Competence:
    code: str  # "1.1.1"
    bloc: int  # 1..3
    activity: str  # "1.1"
    label: str
    indicators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Activity:
    code: str  # "1.1"
    bloc: int
    label: str
    competences: tuple[Competence, ...]


@dataclass(frozen=True, slots=True)
class Bloc:
    number: int
    label: str
    unit: str  # "U31"
    exam: str  # "E31"
    activities: tuple[Activity, ...]


LEVELS: dict[int | None, str] = {
    1: "non acquis",
    2: "en cours d'acquisition",
    3: "acquis",
    4: "maîtrisé",
    None: "non évalué",
}

_EXPRESSION = "Expression française, écrite et orale, adaptée aux relations administratives"

# (bloc number, bloc label, unit, exam,
#   [(activity label, [competence labels], [indicators shared by the activity]), ...])
_DATA: tuple[tuple[int, str, str, str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]], ...] = (
    (
        1,
        "Gérer des relations avec les clients, les usagers et les adhérents",
        "U31",
        "E31",
        (
            (
                "Préparation et prise en charge de la relation",
                (
                    "Identifier les caractéristiques de la demande",
                    "Apporter une réponse adaptée à la demande",
                    "Produire, dans un environnement numérique, des supports de communication adaptés",
                    "Assurer le suivi administratif des opérations de promotion et de prospection",
                ),
                (
                    _EXPRESSION,
                    "Respect de la charte d'accueil (langage adapté à l'interlocuteur, empathie, etc.)",
                    "Fiabilité de l'information recueillie",
                    "Efficacité de la prise de notes",
                    "Respect des règles de sécurité et de confidentialité",
                    "Pertinence de la réponse apportée à la demande",
                    "Efficacité de la gestion des flux de courriers / courriels",
                    "Qualité des supports produits à partir de la suite bureautique",
                ),
            ),
            (
                "Traitement des opérations administratives et de gestion",
                (
                    "Appliquer les procédures internes de traitement des relations « clients »",
                    "Produire les documents liés au traitement des relations « clients » "
                    "dans un environnement numérique",
                    "Assurer le suivi des enregistrements des factures de vente et des encaissements "
                    "à l'aide d'un progiciel dédié ou d'un PGI",
                    "Assurer le suivi des relances clients",
                ),
                (
                    "Respect des procédures et des normes",
                    "Respect des délais impartis",
                    "Fiabilité et conformité des documents produits à partir d'un progiciel "
                    "de gestion intégré (PGI)",
                    "Sécurisation des encaissements",
                    "Conformité des enregistrements",
                    "Pertinence de la réponse apportée à une réclamation",
                    "Qualité de la rédaction des écrits commerciaux",
                ),
            ),
            (
                "Actualisation du système d'information",
                (
                    "Mettre à jour l'information",
                    "Rendre compte des anomalies repérées lors de l'actualisation du système d'information",
                    "Identifier et appliquer les moyens de protection et de sécurisation adaptés "
                    "aux données enregistrées ou extraites",
                    "Assurer la visibilité numérique de l'organisation (réseaux sociaux, site internet, blogs)",
                ),
                (
                    "Fiabilité des mises à jour effectuées",
                    "Pertinence des anomalies signalées",
                    "Respect des dispositions éthiques et réglementaires en matière de conservation de données",
                    "Adéquation des données publiées aux attentes des tiers",
                ),
            ),
        ),
    ),
    (
        2,
        "Organiser et suivre l'activité de production",
        "U2",
        "E2",
        (
            (
                "Suivi administratif",
                (
                    "Appliquer les procédures internes de gestion des approvisionnements et des stocks",
                    "Assurer le suivi des enregistrements des factures d'achats à l'aide d'un progiciel "
                    "dédié ou d'un PGI",
                    "Actualiser les bases de données internes nécessaires à l'activité de production",
                    "Prendre en compte les contraintes réglementaires liées à l'activité de production "
                    "de l'organisation",
                    "Mettre à disposition des plannings d'activité actualisés",
                ),
                (
                    _EXPRESSION,
                    "Respect des procédures et des normes",
                    "Conformité des enregistrements",
                    "Pertinence et exactitude de l'information saisie dans le support adapté",
                    "Cohérence et fiabilité du planning",
                    "Respect des délais impartis",
                ),
            ),
            (
                "Suivi financier",
                (
                    "Établir un état de rapprochement",
                    "Appliquer les procédures en vigueur en matière de règlement des fournisseurs, "
                    "sous-traitants et prestataires",
                    "Assurer le suivi des enregistrements des mouvements de trésorerie à l'aide d'un "
                    "progiciel dédié ou d'un PGI",
                    "Déterminer les éléments nécessaires à l'élaboration de la déclaration de TVA",
                    "Établir un état périodique de trésorerie",
                    "Rendre compte de l'équilibre financier et de la situation économique de l'organisation",
                ),
                (
                    "Exactitude de l'état de rapprochement",
                    "Respect des procédures et des normes",
                    "Conformité des enregistrements",
                    "Sécurisation des décaissements",
                    "Pertinence et exactitude des éléments retenus pour la déclaration de TVA",
                    "Exactitude de la situation de trésorerie",
                    "Pertinence de l'appréciation de la situation économique et financière de l'organisation",
                ),
            ),
            (
                "Gestion opérationnelle des espaces de travail",
                (
                    "Prendre en charge les activités support nécessaires au bon fonctionnement "
                    "de l'organisation",
                    "Actualiser et diffuser l'information interne sur le support adéquat",
                ),
                (
                    "Efficacité de l'organisation mise en place",
                    "Prise en compte des aléas techniques et organisationnels",
                    "Respect des dispositions éthiques et réglementaires en matière de conservation "
                    "et de diffusion de données",
                    "Adéquation des données diffusées par rapport aux attentes des acteurs internes "
                    "de l'organisation",
                ),
            ),
        ),
    ),
    (
        3,
        "Administrer le personnel",
        "U32",
        "E32",
        (
            (
                "Suivi de la carrière",
                (
                    "Appliquer les procédures internes en matière d'entrée et de sortie du personnel",
                    "Actualiser les bases d'information relatives au personnel",
                    "Organiser des actions de formation",
                ),
                (
                    _EXPRESSION,
                    "Respect des procédures et des normes",
                    "Respect de la législation sociale, des accords collectifs et conventions "
                    "collectives de travail",
                    "Respect des règles de sécurité et de confidentialité en matière de consultation "
                    "et de conservation des données",
                    "Rigueur de l'actualisation des bases de données",
                    "Fiabilité des documents administratifs produits",
                ),
            ),
            (
                "Suivi organisationnel et financier",
                (
                    "Planifier les temps de présence et de congés des personnels en fonction des "
                    "contraintes de l'organisation",
                    "Organiser les déplacements des personnels",
                    "Contrôler les états de frais",
                    "Déterminer les éléments nécessaires à l'établissement du bulletin de paie",
                    "Assurer le suivi des enregistrements liés à la paie à l'aide d'un progiciel "
                    "dédié ou d'un PGI",
                ),
                (
                    "Cohérence des plannings",
                    "Optimisation en temps et en valeur des déplacements des personnels",
                    "Pertinence de l'analyse des écarts budgétaires",
                    "Efficacité dans l'utilisation d'un tableur",
                    "Réactivité dans la transmission et le traitement de l'information au personnel concerné",
                    "Exactitude des éléments retenus pour la préparation des bulletins de paie",
                    "Conformité des enregistrements",
                    "Détection et signalement des anomalies",
                ),
            ),
            (
                "Participation à l'activité sociale",
                (
                    "Actualiser et diffuser l'information sociale auprès des personnels",
                    "Mettre en œuvre et suivre le résultat des actions sociales et culturelles",
                    "Utiliser des fonctions simples de mise en pages d'un document pour répondre "
                    "à un objectif de diffusion",
                    "Rédiger des écrits professionnels en lien avec l'activité sociale de l'organisation",
                ),
                (
                    _EXPRESSION,
                    "Pertinence et qualité des supports de communication à partir de la suite "
                    "bureautique et d'un logiciel de PAO",
                    "Adéquation des données diffusées aux attentes des acteurs concernés",
                    "Fiabilité des mises à jour effectuées",
                    "Pertinence et efficacité des actions support de la cohésion sociale",
                    "Adaptation du message aux objectifs de communication et aux supports retenus",
                ),
            ),
        ),
    ),
)


def _build() -> tuple[Bloc, ...]:
    blocs = []
    for number, bloc_label, unit, exam, activities in _DATA:
        built_activities = []
        for a_index, (a_label, c_labels, indicators) in enumerate(activities, start=1):
            a_code = f"{number}.{a_index}"
            comps = tuple(
                Competence(
                    code=f"{a_code}.{c_index}",
                    bloc=number,
                    activity=a_code,
                    label=c_label,
                    indicators=indicators,
                )
                for c_index, c_label in enumerate(c_labels, start=1)
            )
            built_activities.append(Activity(code=a_code, bloc=number, label=a_label, competences=comps))
        blocs.append(
            Bloc(number=number, label=bloc_label, unit=unit, exam=exam, activities=tuple(built_activities))
        )
    return tuple(blocs)


BLOCS: tuple[Bloc, ...] = _build()
COMPETENCES: tuple[Competence, ...] = tuple(c for b in BLOCS for a in b.activities for c in a.competences)
COMPETENCE_CODES: frozenset[str] = frozenset(c.code for c in COMPETENCES)

_BY_CODE: dict[str, Competence] = {c.code: c for c in COMPETENCES}
_ACTIVITIES: dict[str, Activity] = {a.code: a for b in BLOCS for a in b.activities}

del _build


def competence(code: str) -> Competence:
    """The competence with this code (``"1.1.1"``); KeyError if unknown."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"compétence inconnue « {code} »") from None


def activity(code: str) -> Activity:
    """The activity with this code (``"1.1"``); KeyError if unknown."""
    try:
        return _ACTIVITIES[code]
    except KeyError:
        raise KeyError(f"activité inconnue « {code} »") from None
