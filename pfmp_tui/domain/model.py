"""Domain records: what the store keeps and the interchange document carries.

Frozen dataclasses mirroring CONTRACT.md's interchange document. No I/O,
no textual, no tinydb. Records are replaced (``dataclasses.replace``), never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import ClassVar, Literal

Voie = Literal["scolaire", "apprentissage", "fpc", "fpc_perfectionnement", "experience"]
VOIES: tuple[str, ...] = ("scolaire", "apprentissage", "fpc", "fpc_perfectionnement", "experience")
VOIE_LABELS: dict[str, str] = {
    "scolaire": "scolaire",
    "apprentissage": "apprentissage",
    "fpc": "formation continue",
    "fpc_perfectionnement": "FPC perfectionnement",
    "experience": "expérience (3 ans)",
}
ConventionStatus = Literal["none", "draft", "sent", "signed"]
CONVENTION_STATUSES: tuple[str, ...] = ("none", "draft", "sent", "signed")
CONVENTION_LABELS: dict[str, str] = {
    "none": "aucune",
    "draft": "brouillon",
    "sent": "envoyée",
    "signed": "signée",
}
ASSESSORS: tuple[str, ...] = ("tutor", "teacher")
ASSESSOR_LABELS: dict[str, str] = {"tutor": "tuteur", "teacher": "enseignant"}
HOLIDAY_ZONES: tuple[str | None, ...] = ("A", "B", "C", None)
# Class years of the Bac Pro (R17: they set the allocation PFMP's rate).
CLASS_YEARS: tuple[str, ...] = ("seconde", "premiere", "terminale")
CLASS_YEAR_LABELS: dict[str, str] = {"seconde": "seconde", "premiere": "première", "terminale": "terminale"}
# Why a learner was absent during a PFMP (R18).
ABSENCE_REASONS: tuple[str, ...] = ("maladie", "force_majeure", "injustifiee", "autre")
ABSENCE_REASON_LABELS: dict[str, str] = {
    "maladie": "maladie",
    "force_majeure": "force majeure",
    "injustifiee": "absence injustifiée",
    "autre": "autre",
}
VISIT_KINDS: tuple[str, ...] = ("sur_place", "telephone", "visio")
VISIT_KIND_LABELS: dict[str, str] = {"sur_place": "sur place", "telephone": "téléphone", "visio": "visio"}
REMINDER_DOCUMENTS: tuple[str, ...] = ("convention", "attestation", "assessment")
REMINDER_DOCUMENT_LABELS: dict[str, str] = {
    "convention": "convention", "attestation": "attestation de PFMP", "assessment": "évaluation (document de liaison)",
}
# Who signs a convention (circulaire n° 2016-053): the head of the school, the host's
# representative, the learner, the legal representative of a minor; tutor and référent
# countersign the annexe pédagogique.
SIGNATORIES: tuple[str, ...] = ("school", "organisation", "student", "legal_representative", "tutor", "teacher")
SIGNATORY_LABELS: dict[str, str] = {
    "school": "chef d'établissement", "organisation": "représentant de l'organisme d'accueil",
    "student": "élève", "legal_representative": "représentant légal", "tutor": "tuteur",
    "teacher": "enseignant référent",
}


@dataclass(frozen=True, slots=True)
class Cohort:
    id: str
    label: str
    exam_session: int
    dossier_deadline: date
    holiday_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Derogation:
    """A lower requirement decided by the authority, never silent: it carries its reason."""

    required_days: int
    reason: str


@dataclass(frozen=True, slots=True)
class Payment:
    """What the school received to pay the allocation PFMP (R17): never the bank details
    themselves, only whether the RIB and, for a minor, the legal representative's
    authorisation arrived. An extension of the interchange document."""

    bank_details_received: bool = False
    authorisation_received: bool = False


@dataclass(frozen=True, slots=True)
class LegalRepresentative:
    """A minor's legal representative, who signs the convention (circulaire n° 2016-053)."""

    last_name: str
    first_name: str
    relation: str | None = None  # « mère », « père », « tuteur légal »…
    email: str | None = None
    phone: str | None = None
    address: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    last_name: str
    first_name: str
    cohort_id: str
    voie: str = "scolaire"
    ine: str | None = None
    birth_date: date | None = None
    email: str | None = None
    cycle_years: int | None = 3
    positioned: bool = False
    derogation: Derogation | None = None
    payment: Payment | None = None  # extension (R17)
    legal_representatives: tuple[LegalRepresentative, ...] = ()  # extension

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    siret: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str = "FR"
    # Contact details (extension): written to the interchange only when given.
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    notes: str | None = None
    representative: str | None = None  # who signs the convention for the host
    representative_title: str | None = None  # their « qualité » (gérant, DRH…)


@dataclass(frozen=True, slots=True)
class Tutor:
    id: str
    organisation_id: str
    last_name: str
    first_name: str
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class Period:
    id: str
    cohort_id: str
    label: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Signatures:
    """When each party signed the convention (None: not yet). An extension."""

    school: date | None = None
    organisation: date | None = None
    student: date | None = None
    legal_representative: date | None = None
    tutor: date | None = None
    teacher: date | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, k) is None for k in SIGNATORIES)


@dataclass(frozen=True, slots=True)
class Convention:
    status: str = "none"
    signed_on: date | None = None
    # Extensions, written only when set: when pfmp generated it, when it was sent out,
    # who signed it when.
    generated_on: date | None = None
    sent_on: date | None = None
    signatures: Signatures | None = None


@dataclass(frozen=True, slots=True)
class PlacementTerms:
    """What the convention and its annexes fix (Code de l'éducation D. 124-4): hours,
    activities, gratification, travel, meals, insurance. An extension of the placement."""

    daily_hours: float | None = None
    weekly_hours: float | None = None
    schedule: str | None = None  # « lundi–vendredi 9 h–12 h, 13 h 30–17 h »
    night_work: bool = False
    competences: tuple[str, ...] = ()  # annexe pédagogique: codes among the 37
    activities: str | None = None  # activities planned, in words
    gratification: str | None = None
    travel: str | None = None
    meals: str | None = None
    insurance: str | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """A teacher's visit (visite de stage) of a placement."""

    id: str
    planned_on: date | None = None
    done_on: date | None = None
    teacher: str | None = None
    kind: str = "sur_place"
    report: str | None = None  # short compte rendu


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder sent about one document of a placement: when, to whom, what."""

    sent_at: str  # ISO date-time, seconds, local time
    document: str  # REMINDER_DOCUMENTS
    to: str  # e-mail address
    tutor_id: str | None = None

    @property
    def sent_on(self) -> date:
        return date.fromisoformat(self.sent_at[:10])


@dataclass(frozen=True, slots=True)
class Attestation:
    received_on: date
    signed_by_tutor: bool
    days_completed: int
    activities: str = ""


@dataclass(frozen=True, slots=True)
class Placement:
    id: str
    student_id: str
    organisation_id: str
    start: date
    end: date
    period_id: str | None = None
    tutor_id: str | None = None
    teacher: str | None = None
    convention: Convention = field(default_factory=Convention)
    attestation: Attestation | None = None
    makes_up: str | None = None  # extension (R18): the placement this « rattrapage » makes up for
    class_year: str | None = None  # extension (R17): only when it differs from the cohort's reading
    terms: PlacementTerms | None = None  # extension
    visits: tuple[Visit, ...] = ()  # extension
    reminders: tuple[Reminder, ...] = ()  # extension


@dataclass(frozen=True, slots=True)
class Assessment:
    id: str
    placement_id: str
    competence: str
    level: int | None
    assessor: str
    date: date
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Appreciation:
    """The general appreciation closing one assessment session of a placement (document
    de liaison, R12): who wrote it, when, what. An extension of the interchange document."""

    id: str
    placement_id: str
    assessor: str
    date: date
    comment: str


@dataclass(frozen=True, slots=True)
class Absence:
    """Days a learner missed during a PFMP (R18): not days done, not paid (R17).
    `days` are working days within `start`..`end` (a part of the dates may be missed).
    An extension of the interchange document."""

    id: str
    placement_id: str
    start: date
    end: date
    days: int
    reason: str  # ABSENCE_REASONS
    note: str | None = None
    justified: bool = False


@dataclass(frozen=True, slots=True)
class WorkCertificate:
    id: str
    student_id: str
    employer: str
    start: date
    end: date
    full_time: bool


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    student_id: str
    employer: str
    start: date
    end: date


@dataclass(slots=True)
class Dataset:
    """Every record of a store or of an interchange document."""

    cohorts: list[Cohort] = field(default_factory=list)
    students: list[Student] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    tutors: list[Tutor] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    work_certificates: list[WorkCertificate] = field(default_factory=list)
    contracts: list[Contract] = field(default_factory=list)
    appreciations: list[Appreciation] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)  # extension (R18)

    # The kinds, in the contract's order: the fields above (domain/kinds.py defines each).
    KINDS: ClassVar[tuple[str, ...]] = ()

    def is_empty(self) -> bool:
        return not any(getattr(self, kind) for kind in self.KINDS)

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in self.KINDS}


Dataset.KINDS = tuple(f.name for f in fields(Dataset))
