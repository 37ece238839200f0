"""Rows out of the files schools already have: SIECLE exports and organisation spreadsheets.

Pure: the service reads the file (zip, encoding, XLSX cells) and hands over bytes
(the SIECLE XML) or text (CSV) or a list of rows; this module turns them into
checked rows, the rows it skipped (learner gone, other division) and every bad row
as a `RowError` (line, column as written in the file, French reason). Matching rows
with the store is the service's job (`services.importing`).

Formats:
- SIECLE XML ``ExportXML_ElevesSansAdresses.xml``: ``BEE_ELEVES/DONNEES/ELEVES/ELEVE``
  (attribute ELEVE_ID; ``ID_NATIONAL`` = INE, ``NOM_DE_FAMILLE``, ``PRENOM``,
  ``DATE_NAISS`` JJ/MM/AAAA, ``DATE_SORTIE`` when the learner left, ``CODE_MEF``) and
  ``BEE_ELEVES/DONNEES/STRUCTURES/STRUCTURES_ELEVE`` (same ELEVE_ID; ``STRUCTURE`` with
  ``CODE_STRUCTURE`` and ``TYPE_STRUCTURE`` « D » for the division). Parsed with expat
  so that every error names its line; a DOCTYPE (never in a SIECLE export, and the way
  to an entity bomb) is refused.
- SIECLE CSV « liste des élèves par division »: ``NOM;PRENOM;SEXE;NE(E) LE;MEF;DIV.;…``.
- Organisations: one row per organisation (or per tutor of an organisation) with
  columns recognised from common French headers, or named by an explicit mapping.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Mapping, Sequence
from xml.parsers import expat
from xml.parsers.expat import errors as expat_errors

from . import validation as v
from .errors import FieldError, ValidationFailed
from .text import fold

Table = list[tuple[int, list[str]]]  # (line number in the file, cells)

HEADER_SEARCH = 10  # the header row is looked for among the first non-empty rows


# -- normalising ------------------------------------------------------------------------------
def header_words(text: str) -> tuple[str, ...]:
    """A header's words, folded, punctuation dropped: « N° SIRET » → ('n', 'siret')."""
    return tuple(re.findall(r"[a-z0-9]+", fold(text)))


def header_key(text: str) -> str:
    """A header (or a division code) as one folded token: « NE(E) LE » → « neele »."""
    return "".join(header_words(text))


def tidy(text: str) -> str:
    """A cell's text with its spacing collapsed (names keep their case and accents)."""
    return " ".join(text.split())


def person_key(last_name: str, first_name: str) -> str:
    return f"{fold(last_name)}|{fold(first_name)}"


# -- rows ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row: its line in the file, the column as the file names it, why (French)."""

    line: int
    column: str
    reason: str

    @property
    def path(self) -> str:
        return f"ligne {self.line}, {self.column}" if self.column else f"ligne {self.line}"

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

    @property
    def label(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


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


class _RowChecker:
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


def _required_name(value: str, what: str) -> Callable[[], str]:
    def parse() -> str:
        text = tidy(value)
        if not text:
            raise ValidationFailed(FieldError("", f"{what} manquant"))
        return v.require_str(text, "", max_len=100)

    return parse


# -- CSV -----------------------------------------------------------------------------------------
def sniff_delimiter(text: str) -> str:
    """`;` (what French spreadsheets write), `,` or a tab: the most frequent in the first lines."""
    lines = [line for line in text.splitlines()[:20] if line.strip()][:5]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def csv_rows(text: str, delimiter: str | None = None) -> Table:
    """Non-empty CSV records with the line each starts on (a quoted cell may span lines)."""
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Table = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if any(c.strip() for c in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        raise ValidationFailed(FieldError(f"ligne {reader.line_num}", f"CSV illisible : {exc}")) from None
    return rows


def _cell(cells: Sequence[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    value = cells[index]
    return "" if value is None else str(value).strip()


def _headers_found(headers: Iterable[str]) -> str:
    shown = [f"« {h} »" for h in headers if h.strip()]
    return ", ".join(shown) if shown else "aucun"


# -- students --------------------------------------------------------------------------------------
STUDENT_FIELDS: dict[str, str] = {
    "last_name": "nom",
    "first_name": "prénom",
    "birth_date": "date de naissance",
    "ine": "INE",
    "division": "division",
    "mef": "MEF",
    "left_on": "date de sortie",
}
# Folded headers (header_key) of SIECLE lists and of hand-made ones.
_STUDENT_HEADERS: dict[str, str] = {
    **dict.fromkeys(("nom", "nomdefamille", "nomdenaissance", "nomeleve", "nomdeleleve", "nomfamille"), "last_name"),
    **dict.fromkeys(("prenom", "prenom1", "prenomeleve", "prenomdeleleve", "premierprenom"), "first_name"),
    **dict.fromkeys(("neele", "nele", "neeele", "datenaiss", "datedenaissance", "datenaissance", "naissance"),
                    "birth_date"),
    **dict.fromkeys(("ine", "nine", "noine", "numeroine", "idnational", "identifiantnational", "ineeleve",
                     "numeronational"), "ine"),
    **dict.fromkeys(("div", "division", "classe", "codestructure", "divisions"), "division"),
    **dict.fromkeys(("mef", "codemef"), "mef"),
    **dict.fromkeys(("datesortie", "datedesortie", "sortie", "sortiele"), "left_on"),
}


def match_student_headers(headers: Sequence[str]) -> dict[str, int]:
    """field -> column index, for the headers a student list uses (first one wins)."""
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = _STUDENT_HEADERS.get(header_key(str(header or "")))
        if name and name not in found:
            found[name] = i
    return found


def _division_key(text: str | None) -> str:
    return header_key(text or "")


def _skip_reason(division: str | None, wanted: str | None, left_on: str) -> str | None:
    """Why a learner is left aside, before any check of their data (their errors do not matter)."""
    if left_on:
        return f"sorti(e) de l'établissement le {left_on}"
    if wanted is not None:
        if not division:
            return "aucune division"
        if _division_key(division) != _division_key(wanted):
            return f"autre division « {division} »"
    return None


def _check_student(
    line: int,
    values: Mapping[str, str],
    columns: Mapping[str, str],
    division: str | None,
    errors: list[RowError],
) -> StudentRow | None:
    check = _RowChecker(line, errors)
    last = check(columns["last_name"], _required_name(values.get("last_name", ""), "nom"))
    first = check(columns["first_name"], _required_name(values.get("first_name", ""), "prénom"))
    raw_birth = values.get("birth_date", "")
    if raw_birth:
        birth = check(columns["birth_date"], lambda: v.parse_french_date(raw_birth, ""))
    else:
        check.fail(columns["birth_date"], "date de naissance manquante")
        birth = None
    ine = check(columns.get("ine", "INE"), lambda: v.parse_ine(values.get("ine", ""), ""))
    if not check.ok:
        return None
    return StudentRow(line, last, first, birth, ine, tidy(division) if division else None,
                      tidy(values.get("mef", "")) or None)


def _refuse_duplicates(parsed: Parsed) -> None:
    """The same learner twice in one file: the second row is an error (which one is right?)."""
    by_ine: dict[str, int] = {}
    by_person: dict[tuple[str, date], int] = {}
    kept: list[StudentRow] = []
    for row in parsed.rows:
        key = (person_key(row.last_name, row.first_name), row.birth_date)
        if row.ine and row.ine in by_ine:
            parsed.errors.append(RowError(row.line, parsed.columns.get("ine", "INE"),
                                          f"INE {row.ine} en double (déjà ligne {by_ine[row.ine]})"))
        elif key in by_person:
            parsed.errors.append(RowError(row.line, parsed.columns["last_name"],
                                          f"élève en double (déjà ligne {by_person[key]})"))
        else:
            if row.ine:
                by_ine[row.ine] = row.line
            by_person[key] = row.line
            kept.append(row)
    parsed.rows = kept
    parsed.errors.sort(key=lambda e: e.line)


def parse_students_table(rows: Table, division: str | None = None) -> Parsed:
    """A learner list (CSV or spreadsheet rows): header row found among the first rows."""
    header_at = None
    for n, (line, cells) in enumerate(rows[:HEADER_SEARCH]):
        found = match_student_headers(cells)
        if "last_name" in found and "first_name" in found:
            header_at = n
            break
    if header_at is None:
        headers = rows[0][1] if rows else []
        raise ValidationFailed(FieldError(
            "entêtes",
            "liste d'élèves non reconnue : colonnes NOM et PRENOM introuvables "
            f"(entêtes trouvés : {_headers_found(headers)})",
        ))
    header_line, headers = rows[header_at]
    index = match_student_headers(headers)
    missing = [f for f in ("birth_date",) if f not in index]
    if division is not None and "division" not in index:
        missing.append("division")
    if missing:
        what = ", ".join(STUDENT_FIELDS[f] for f in missing)
        raise ValidationFailed(FieldError(
            "entêtes", f"colonne introuvable : {what} (entêtes trouvés : {_headers_found(headers)})"
        ))
    columns = {f: str(headers[i]).strip() for f, i in index.items()}
    used = set(index.values())
    parsed = Parsed(
        columns=columns,
        ignored=tuple(str(h).strip() for i, h in enumerate(headers) if i not in used and str(h or "").strip()),
        headers=tuple(str(h or "").strip() for h in headers),
    )
    for line, cells in rows[header_at + 1:]:
        parsed.raw[line] = tuple(str(c or "") for c in cells)
        values = {f: _cell(cells, i) for f, i in index.items()}
        label = f"{values.get('last_name', '').upper()} {values.get('first_name', '')}".strip()
        div = values.get("division") or None
        why = _skip_reason(div, division, values.get("left_on", ""))
        if why:
            parsed.skipped.append(Skipped(line, label, why))
            continue
        row = _check_student(line, values, columns, div, parsed.errors)
        if row is not None:
            parsed.rows.append(row)
    _refuse_duplicates(parsed)
    return parsed


def parse_students_csv(text: str, division: str | None = None) -> Parsed:
    """SIECLE « liste des élèves par division » (or any list with NOM, PRENOM, NE(E) LE…)."""
    return parse_students_table(csv_rows(text), division)


# The XML's fields, in the order of the rejected-rows report.
XML_FIELDS: dict[str, str] = {
    "ID_NATIONAL": "ine",
    "NOM_DE_FAMILLE": "last_name",
    "PRENOM": "first_name",
    "DATE_NAISS": "birth_date",
    "CODE_MEF": "mef",
    "DATE_SORTIE": "left_on",
}
_XML_COLUMNS = {f: tag for tag, f in XML_FIELDS.items()}


class _SiecleHandler:
    """Expat callbacks collecting ELEVE and STRUCTURES_ELEVE, with the line of each field."""

    def __init__(self, parser: expat.XMLParserType):
        self.parser = parser
        self.stack: list[str] = []
        self.text: list[str] = []
        self.eleves: list[dict] = []  # {"id", "line", "fields": {tag: (text, line)}}
        self.structures: dict[str, list[tuple[str, str]]] = {}  # ELEVE_ID -> [(code, type)]
        self._eleve: dict | None = None
        self._structures_of: str | None = None
        self._structure: dict[str, str] = {}
        self._field_line = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.stack.append(name)
        self.text = []
        path = "/".join(self.stack)
        if path == "BEE_ELEVES/DONNEES/ELEVES/ELEVE":
            self._eleve = {"id": attrs.get("ELEVE_ID", ""), "line": self.parser.CurrentLineNumber, "fields": {}}
        elif path == "BEE_ELEVES/DONNEES/STRUCTURES/STRUCTURES_ELEVE":
            self._structures_of = attrs.get("ELEVE_ID", "")
            self.structures.setdefault(self._structures_of, [])
        elif path.endswith("STRUCTURES_ELEVE/STRUCTURE"):
            self._structure = {}
        self._field_line = self.parser.CurrentLineNumber

    def end(self, name: str) -> None:
        path = "/".join(self.stack)
        text = "".join(self.text).strip()
        if self._eleve is not None and len(self.stack) == 5 and path.startswith("BEE_ELEVES/DONNEES/ELEVES/ELEVE/"):
            self._eleve["fields"].setdefault(name, (text, self._field_line))
        elif path == "BEE_ELEVES/DONNEES/ELEVES/ELEVE":
            if self._eleve is not None:
                self.eleves.append(self._eleve)
            self._eleve = None
        elif path.endswith("STRUCTURES_ELEVE/STRUCTURE/CODE_STRUCTURE") or path.endswith(
            "STRUCTURES_ELEVE/STRUCTURE/TYPE_STRUCTURE"
        ):
            self._structure[name] = text
        elif path.endswith("STRUCTURES_ELEVE/STRUCTURE") and self._structures_of is not None:
            self.structures[self._structures_of].append(
                (self._structure.get("CODE_STRUCTURE", ""), self._structure.get("TYPE_STRUCTURE", ""))
            )
        elif path == "BEE_ELEVES/DONNEES/STRUCTURES/STRUCTURES_ELEVE":
            self._structures_of = None
        self.stack.pop()
        self.text = []

    def chars(self, data: str) -> None:
        self.text.append(data)

    def refuse_dtd(self, *args: object) -> None:
        raise ValidationFailed(FieldError(
            f"ligne {self.parser.CurrentLineNumber}",
            "déclaration DOCTYPE ou ENTITY refusée : un export SIECLE n'en contient pas",
        ))


_EXPAT_FRENCH = {
    expat_errors.XML_ERROR_TAG_MISMATCH: "balise fermante qui ne correspond pas",
    expat_errors.XML_ERROR_NO_ELEMENTS: "fichier vide ou incomplet",
    expat_errors.XML_ERROR_UNCLOSED_TOKEN: "élément non terminé",
    expat_errors.XML_ERROR_INVALID_TOKEN: "caractère ou balise invalide",
    expat_errors.XML_ERROR_SYNTAX: "syntaxe incorrecte",
    expat_errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "contenu après la fin du document",
    expat_errors.XML_ERROR_UNDEFINED_ENTITY: "entité inconnue",
    expat_errors.XML_ERROR_BAD_CHAR_REF: "référence de caractère invalide",
    expat_errors.XML_ERROR_UNKNOWN_ENCODING: "encodage inconnu",
    expat_errors.XML_ERROR_INCORRECT_ENCODING: "le contenu ne correspond pas à l'encodage déclaré",
    expat_errors.XML_ERROR_PARTIAL_CHAR: "caractère tronqué",
}


def parse_students_xml(data: bytes, division: str | None = None) -> Parsed:
    """SIECLE ``ExportXML_ElevesSansAdresses.xml`` (bytes: its prolog declares ISO-8859-15)."""
    parser = expat.ParserCreate()
    handler = _SiecleHandler(parser)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    parser.StartDoctypeDeclHandler = handler.refuse_dtd
    parser.EntityDeclHandler = handler.refuse_dtd
    parser.ExternalEntityRefHandler = handler.refuse_dtd
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise ValidationFailed(FieldError(
            f"ligne {exc.lineno}",
            f"XML invalide : {_EXPAT_FRENCH.get(expat.ErrorString(exc.code), 'document mal formé')} "
            f"(colonne {exc.offset + 1})",
        )) from None
    if not handler.eleves and not handler.structures:
        raise ValidationFailed(FieldError(
            "BEE_ELEVES",
            "ce n'est pas un export SIECLE des élèves : aucun élément BEE_ELEVES/DONNEES/ELEVES/ELEVE",
        ))
    columns = {f: tag for f, tag in _XML_COLUMNS.items()}
    columns["division"] = "CODE_STRUCTURE"
    parsed = Parsed(columns=columns, headers=tuple(XML_FIELDS) + ("CODE_STRUCTURE",))
    for eleve in handler.eleves:
        fields: dict[str, tuple[str, int]] = eleve["fields"]
        if "NOM_DE_FAMILLE" not in fields and "NOM" in fields:  # exports before NOM_DE_FAMILLE existed
            fields["NOM_DE_FAMILLE"] = fields["NOM"]
        divisions = [code for code, kind in handler.structures.get(eleve["id"], []) if kind == "D" and code]
        div = divisions[0] if divisions else None
        values = {f: fields.get(tag, ("", 0))[0] for tag, f in XML_FIELDS.items()}
        line = eleve["line"]
        parsed.raw[line] = tuple(values[f] for f in XML_FIELDS.values()) + (div or "",)
        label = f"{values['last_name'].upper()} {values['first_name']}".strip()
        why = _skip_reason(div, division, values["left_on"])
        if why:
            parsed.skipped.append(Skipped(line, label, why))
            continue
        errors: list[RowError] = []
        row = _check_student(line, values, columns, div, errors)
        # Point each error at the line of its own element when the element is there.
        for e in errors:
            tag = e.column
            parsed.errors.append(RowError(fields[tag][1], tag, e.reason) if tag in fields else e)
        if row is not None:
            parsed.rows.append(row)
    _refuse_duplicates(parsed)
    return parsed


# -- organisations ------------------------------------------------------------------------------------
ORG_FIELDS: dict[str, str] = {
    "name": "nom de l'organisation",
    "siret": "SIRET",
    "address": "adresse",
    "postcode": "code postal",
    "city": "ville",
    "country": "pays",
    "tutor_name": "tuteur (prénom et nom)",
    "tutor_last_name": "nom du tuteur",
    "tutor_first_name": "prénom du tuteur",
    "tutor_email": "courriel du tuteur",
    "tutor_phone": "téléphone du tuteur",
    "tutor_job_title": "fonction du tuteur",
}
TUTOR_FIELDS = ("tutor_name", "tutor_last_name", "tutor_first_name", "tutor_email", "tutor_phone", "tutor_job_title")

# Names a mapping may use for a field (`--map code_postal=CP`): the ids and French words.
_MAPPING_NAMES: dict[str, str] = {
    **{header_key(f): f for f in ORG_FIELDS},
    **{header_key(label): f for f, label in ORG_FIELDS.items()},
    **dict.fromkeys(("nom", "raisonsociale", "organisation", "entreprise"), "name"),
    **dict.fromkeys(("adresse", "rue"), "address"),
    **dict.fromkeys(("codepostal", "cp"), "postcode"),
    **dict.fromkeys(("ville", "commune"), "city"),
    "pays": "country",
    **dict.fromkeys(("tuteur", "tutrice"), "tutor_name"),
    **dict.fromkeys(("nomtuteur", "tuteurnom"), "tutor_last_name"),
    **dict.fromkeys(("prenomtuteur", "tuteurprenom"), "tutor_first_name"),
    **dict.fromkeys(("courrieltuteur", "mailtuteur", "emailtuteur", "tuteurcourriel", "tuteurmail"), "tutor_email"),
    **dict.fromkeys(("telephonetuteur", "teltuteur", "tuteurtelephone"), "tutor_phone"),
    **dict.fromkeys(("fonctiontuteur", "tuteurfonction"), "tutor_job_title"),
}

_TUTOR_WORDS = frozenset({"tuteur", "tutrice", "tuteurs", "referent", "referente", "maitre", "responsable", "contact"})
_NAME_WORDS = frozenset({
    "entreprise", "organisation", "organisme", "societe", "structure", "etablissement", "employeur",
    "raison", "denomination", "enseigne", "accueil", "lieu",
})


def _guess_org_field(header: str) -> str | None:
    """Which field a header names, from its words (« Mail tuteur », « N° SIRET », « CP »…)."""
    words = header_words(header)
    if not words:
        return None
    ws = set(words)
    if ws & _TUTOR_WORDS:
        if ws & {"mail", "courriel", "email", "mel", "adel"}:
            return "tutor_email"
        if ws & {"tel", "telephone", "portable", "mobile", "tel1", "telephone1"}:
            return "tutor_phone"
        if ws & {"fonction", "poste", "qualite"}:
            return "tutor_job_title"
        if "prenom" in ws:
            return "tutor_first_name"
        if "nom" in ws:
            return "tutor_last_name"
        return "tutor_name"
    if "siret" in ws:
        return "siret"
    if "cp" in ws or {"code", "postal"} <= ws or "codepostal" in ws:
        return "postcode"
    if ws & {"ville", "commune", "localite"}:
        return "city"
    if "pays" in ws:
        return "country"
    if ws & {"adresse", "rue", "voie"} and not ws & {"mail", "courriel", "electronique"}:
        return "address"
    if ws & _NAME_WORDS or words in (("nom",), ("raison", "sociale")):
        return "name"
    return None


def _mapping_field(name: str) -> str | None:
    return name if name in ORG_FIELDS else _MAPPING_NAMES.get(header_key(name))


def map_organisation_headers(
    headers: Sequence[str], mapping: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[FieldError]]:
    """field -> column index: the explicit `mapping` {field: header} first, then guesses.

    Returns the errors of the mapping itself (unknown field, header absent) instead of
    raising, so that the caller can first look for the header row.
    """
    cleaned = [str(h or "").strip() for h in headers]
    by_key: dict[str, int] = {}
    for i, h in enumerate(cleaned):
        if h:
            by_key.setdefault(header_key(h), i)
    found: dict[str, int] = {}
    problems: list[FieldError] = []
    for name, header in (mapping or {}).items():
        target = _mapping_field(name)
        if target is None:
            problems.append(FieldError(
                f"correspondance « {name} »",
                f"champ inconnu (champs possibles : {', '.join(ORG_FIELDS)})",
            ))
            continue
        i = cleaned.index(header.strip()) if header.strip() in cleaned else by_key.get(header_key(header))
        if i is None:
            problems.append(FieldError(
                f"correspondance « {name} »",
                f"entête « {header} » introuvable (entêtes trouvés : {_headers_found(cleaned)})",
            ))
            continue
        found[target] = i
    used = set(found.values())
    for i, h in enumerate(cleaned):
        if i in used or not h:
            continue
        guess = _guess_org_field(h)
        if guess and guess not in found:
            found[guess] = i
            used.add(i)
    if found.keys() & {"tutor_name", "tutor_last_name"}:
        # « Mail », « Téléphone » beside a tutor column: an organisation has no e-mail
        # nor phone of its own here, so they are the tutor's.
        for i, h in enumerate(cleaned):
            if i in used or not h:
                continue
            guess = _guess_org_field(f"tuteur {h}")
            if guess in ("tutor_email", "tutor_phone", "tutor_job_title", "tutor_first_name") and guess not in found:
                found[guess] = i
                used.add(i)
    return found, problems


def _postcode_fix(text: str, country: str) -> str:
    """Spreadsheets drop the leading zero of « 01000 » (a number to them): put it back (FR only)."""
    if country == "FR":
        text = text.replace(" ", "")
        if re.fullmatch(r"\d{4}", text):
            return "0" + text
    return text


def _phone_fix(text: str) -> str:
    """« 472103030 »: a French number whose leading zero a spreadsheet dropped."""
    digits = re.sub(r"[ .]", "", text)
    if re.fullmatch(r"[1-9]\d{8}", digits):
        return "0" + digits
    return text


_COUNTRY_NAMES: dict[str, str] = {
    "france": "FR", "belgique": "BE", "allemagne": "DE", "espagne": "ES", "italie": "IT", "suisse": "CH",
    "luxembourg": "LU", "portugal": "PT", "paysbas": "NL", "irlande": "IE", "autriche": "AT", "monaco": "MC",
    "royaumeuni": "GB", "angleterre": "GB", "pologne": "PL", "suede": "SE", "danemark": "DK", "norvege": "NO",
    "grece": "GR", "roumanie": "RO", "malte": "MT", "islande": "IS", "canada": "CA",
}


def _parse_country(value: str) -> str | None:
    if not value:
        return None
    code = _COUNTRY_NAMES.get(header_key(value), value.strip().upper())
    return v.parse_country(code, "")


_CIVILITY = re.compile(r"^(m\.|mr\.?|mme\.?|mlle\.?|monsieur|madame|mademoiselle)\s+", re.IGNORECASE)


def split_person(full: str) -> tuple[str, str]:
    """(last name, first name) of « PETIT Anne », « Anne Petit » or « Mme Anne PETIT »."""
    text = _CIVILITY.sub("", tidy(full))
    words = text.split(" ")
    if len(words) < 2:
        return text, ""
    upper = [w for w in words if w.isupper() and len(w) > 1]
    if upper and len(upper) < len(words):
        return " ".join(upper), " ".join(w for w in words if w not in upper)
    return " ".join(words[1:]), words[0]


def _check_organisation(
    line: int, values: Mapping[str, str], columns: Mapping[str, str], errors: list[RowError]
) -> OrganisationRow | None:
    check = _RowChecker(line, errors)
    name = check(columns["name"], _required_name(values.get("name", ""), "nom de l'organisation"))
    country = check(columns.get("country", "pays"), lambda: _parse_country(values.get("country", "")))
    siret = check(columns.get("siret", "SIRET"), lambda: v.parse_siret(values.get("siret", ""), ""))
    address = check(columns.get("address", "adresse"),
                    lambda: v.optional_str(tidy(values.get("address", "")), "", max_len=300))
    postcode = check(columns.get("postcode", "code postal"),
                     lambda: v.parse_postcode(_postcode_fix(values.get("postcode", ""), country or "FR"), "", country or "FR"))
    city = check(columns.get("city", "ville"), lambda: v.optional_str(tidy(values.get("city", "")), "", max_len=100))
    tutor = None
    if any(values.get(f) for f in TUTOR_FIELDS):
        last, first = tidy(values.get("tutor_last_name", "")), tidy(values.get("tutor_first_name", ""))
        if values.get("tutor_name") and not (last and first):
            split_last, split_first = split_person(values["tutor_name"])
            last, first = last or split_last, first or split_first
        name_column = columns.get("tutor_name") or columns.get("tutor_last_name") or "tuteur"
        tlast = check(columns.get("tutor_last_name", name_column), _required_name(last, "nom du tuteur"))
        tfirst = check(columns.get("tutor_first_name", name_column), _required_name(first, "prénom du tuteur"))
        email = check(columns.get("tutor_email", "courriel"), lambda: v.parse_email(values.get("tutor_email", ""), ""))
        phone = check(columns.get("tutor_phone", "téléphone"),
                      lambda: v.parse_phone(_phone_fix(values.get("tutor_phone", "")), ""))
        job = check(columns.get("tutor_job_title", "fonction"),
                    lambda: v.optional_str(tidy(values.get("tutor_job_title", "")), "", max_len=100))
        if check.ok:
            tutor = TutorRow(tlast, tfirst, email, phone, job)
    if not check.ok:
        return None
    return OrganisationRow(line, name, siret, address, postcode, city, country, tutor)


class HeadersNotRecognised(ValidationFailed):
    """The file's headers do not name a required field: `headers` are those found, for
    the mapping step (« quelle colonne est le nom ? »)."""

    def __init__(self, error: FieldError, headers: list[str]):
        super().__init__(error)
        self.headers = headers


def parse_organisations_table(rows: Table, mapping: Mapping[str, str] | None = None) -> Parsed:
    """Organisations (and their tutors) from spreadsheet rows; the header row is found first."""
    if not rows:
        raise ValidationFailed(FieldError("entêtes", "fichier vide : aucune ligne d'entêtes"))
    # A title row (« Entreprises d'accueil 2026 ») has one cell: the header row has several.
    candidates = [n for n, (_line, cells) in enumerate(rows[:HEADER_SEARCH]) if sum(1 for c in cells if str(c or "").strip()) > 1]
    header_at, index, problems = (candidates or [0])[0], {}, []
    index, problems = map_organisation_headers(rows[header_at][1], mapping)
    for n in candidates:
        found, errs = map_organisation_headers(rows[n][1], mapping)
        if "name" in found and not errs:
            header_at, index, problems = n, found, []
            break
    headers = [str(h or "").strip() for h in rows[header_at][1]]
    if problems:
        raise ValidationFailed(problems)
    if "name" not in index:
        raise HeadersNotRecognised(FieldError(
            "entêtes",
            f"colonne obligatoire introuvable : {ORG_FIELDS['name']} (champ « name ») ; "
            f"entêtes trouvés : {_headers_found(headers)} ; indiquez la correspondance name=ENTÊTE",
        ), headers=[h for h in headers if h])
    columns = {f: headers[i] for f, i in index.items()}
    used = set(index.values())
    parsed = Parsed(
        columns=columns,
        ignored=tuple(h for i, h in enumerate(headers) if i not in used and h),
        headers=tuple(headers),
    )
    for line, cells in rows[header_at + 1:]:
        parsed.raw[line] = tuple(str(c or "") for c in cells)
        values = {f: _cell(cells, i) for f, i in index.items()}
        row = _check_organisation(line, values, columns, parsed.errors)
        if row is not None:
            parsed.rows.append(row)
    return parsed


def parse_organisations_csv(text: str, mapping: Mapping[str, str] | None = None) -> Parsed:
    return parse_organisations_table(csv_rows(text), mapping)
