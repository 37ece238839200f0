"""What parsing a file gives: checked rows, rows skipped on purpose, bad rows (`RowError`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from .. import validation as v
from ..errors import FieldError, ValidationFailed
from .normalise import tidy


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row: its line in the file, the column as the file names it, why (French)."""

    line: int
    column: str
    reason: str
    source: str = ""  # the file, when an import reads two (learners and responsables)

    @property
    def path(self) -> str:
        where = f"ligne {self.line}, {self.column}" if self.column else f"ligne {self.line}"
        return f"{self.source}, {where}" if self.source else where

    def field_error(self) -> FieldError:
        return FieldError(self.path, self.reason)

    def __str__(self) -> str:
        return f"{self.path} : {self.reason}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row left aside on purpose (learner gone, other division): not an error."""

    line: int
    label: str
    reason: str


@dataclass(frozen=True, slots=True)
class StudentRow:
    line: int
    last_name: str
    first_name: str
    birth_date: date
    ine: str | None = None
    division: str | None = None
    mef: str | None = None
    siecle_id: str | None = None  # ELEVE_ID of a SIECLE XML export (links the responsables' export)

    @property
    def label(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


@dataclass(frozen=True, slots=True)
class RepresentativeRow:
    """A legal representative of one learner (SIECLE RESPONSABLE_ELEVE with RESP_LEGAL 1 or 2)."""

    line: int  # line of the RESPONSABLE_ELEVE element
    eleve_id: str
    rank: int  # RESP_LEGAL: 1 or 2
    last_name: str
    first_name: str
    relation: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class TutorRow:
    last_name: str
    first_name: str
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    line: int
    name: str
    siret: str | None = None
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None  # None: the file does not say (a new organisation is in France)
    tutor: TutorRow | None = None

    @property
    def label(self) -> str:
        return self.name


@dataclass
class Parsed:
    """What a file holds: good rows, rows skipped on purpose, bad rows, and its columns."""

    rows: list = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as in the file
    ignored: tuple[str, ...] = ()  # headers no field uses
    headers: tuple[str, ...] = ()  # the columns of `raw`
    raw: dict[int, tuple[str, ...]] = field(default_factory=dict)  # line -> cells (for the report)


class RowChecker:
    """Runs the domain validators on one row, turning their errors into RowErrors."""

    def __init__(self, line: int, errors: list[RowError]):
        self.line = line
        self.errors = errors
        self.ok = True

    def __call__(self, column: str, parse: Callable[[], object]):
        try:
            return parse()
        except ValidationFailed as exc:
            self.ok = False
            for e in exc.errors:
                self.errors.append(RowError(self.line, column, e.message))
            return None

    def fail(self, column: str, reason: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.line, column, reason))


def required_name(value: str, what: str) -> Callable[[], str]:
    def parse() -> str:
        text = tidy(value)
        if not text:
            raise ValidationFailed(FieldError("", f"{what} manquant"))
        return v.require_str(text, "", max_len=100)

    return parse

