"""Importing learners from SIECLE and host organisations from a spreadsheet (issue 7).

Reading (here): the file, inside its zip or not; its encoding (UTF-8 with or without
BOM, UTF-16 with BOM, else cp1252, the Windows superset of Latin-1 that also has
« Œ », « œ », « € »); XLSX cells through openpyxl. Parsing rows: `domain.rows`.

Matching with the store, so that importing the same file again updates instead of
duplicating:
- a learner is the stored learner with the same INE, else the one with the same last
  name, first name and birth date (folded: case, accents, spaces), unless both have an
  INE and they differ. A name that only differs by case or accents is kept as stored.
- an organisation is the stored one with the same SIRET; without a SIRET, the one
  without a SIRET with the same name (folded) and postcode (or city). Rows of the file
  with the same SIRET are one organisation, their tutors added to it; a tutor is the
  same as a stored one when their names match (folded) and their e-mails match or
  one is blank. A non-empty cell replaces the stored value; a blank one keeps it.

Legal representatives (issue 15): SIECLE ``ResponsablesAvecAdresses.xml``, linked to the
learners' XML export by ELEVE_ID, with `import_students(..., responsables=)` or, for learners
already stored, `import_representatives` (`merge_representatives` says how a re-import
updates them).

All or nothing: `import_*` writes nothing and raises `ValidationFailed` (one
`FieldError` per bad field of each bad row, ``ligne 7, DATE_NAISS``) when a row is
bad, unless `keep_good`: then the good rows are written and the bad ones go to a
CSV report under ``exports/`` (UTF-8 with BOM, ``;``, mode 0600 like the store). Every
change goes to the store in one commit (`Repository.upsert_all`).

`preview_*` computes the same change set without writing (TUI preview, ``--dry-run``);
`apply_import` writes a previewed change set, after checking that nobody changed the
records it read since (else `ConflictError`, nothing written).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import stat
import zipfile
from time import monotonic as _monotonic
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Mapping

from ..domain.errors import FieldError, ValidationFailed
from ..domain.model import Dataset, LegalRepresentative, Organisation, Student, Tutor
from ..domain.rows.normalise import person_key
from ..domain.rows.organisations import parse_organisations_table
from ..domain.rows.records import OrganisationRow, Parsed, RepresentativeRow, RowError, Skipped, StudentRow
from ..domain.rows.siecle_responsables import ResponsablesParsed, parse_responsables_xml
from ..domain.rows.siecle_xml import XML_FIELDS, parse_students_xml
from ..domain.rows.students import parse_students_table
from ..domain.rows.tables import Table, csv_rows
from ..domain.text import fold
from ..domain.validation import format_date_fr
from ..store.repository import ConflictError, Repository, Snapshot
from .export import neutralise
from .files import unique_path, write_private
from .planning import new_id

MAX_FILE_BYTES = 50 * 1024 * 1024  # a school's SIECLE export is a few MB
# Against zip bombs (XLSX included): a whole school's SIECLE XML is ~20 MB, a sheet of
# organisations far less; beyond this the archive is refused before anything is inflated.
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000  # rows of a CSV or of a sheet
MAX_COLUMNS = 200
MAX_SECONDS = 30.0  # reading a sheet
REPORT_COLUMNS = ("ligne", "colonne", "motif")
SIECLE_XML_HEADERS = (*XML_FIELDS, "CODE_STRUCTURE")  # the columns `parse_students_xml` reports

FIELD_LABELS = {
    "last_name": "nom",
    "first_name": "prénom",
    "birth_date": "date de naissance",
    "ine": "INE",
    "cohort_id": "cohorte",
    "name": "nom",
    "siret": "SIRET",
    "address": "adresse",
    "postcode": "code postal",
    "city": "ville",
    "country": "pays",
    "email": "courriel",
    "phone": "téléphone",
    "job_title": "fonction",
    "legal_representatives": "représentants légaux",
}


# -- the change set ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One record the import creates, updates or finds unchanged."""

    kind: str  # "students", "organisations" or "tutors"
    record: Any  # the record as it will be stored
    before: Any | None = None  # the stored record (None for a creation)
    rev: int | None = None  # the stored revision this change was computed from
    lines: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()  # the fields an update changes

    @property
    def label(self) -> str:
        r = self.record
        if self.kind == "organisations":
            return r.name
        if self.kind == "tutors":
            return f"{r.first_name} {r.last_name}"
        return r.full_name

    def differences(self) -> list[tuple[str, str, str]]:
        """(French field label, before, after) of each changed field, for the preview."""
        out = []
        for name in self.fields:
            old, new = getattr(self.before, name), getattr(self.record, name)
            out.append((FIELD_LABELS.get(name, name), _show(old), _show(new)))
        return out


def _show(value: Any) -> str:
    if value is None or value == ():
        return "—"
    if isinstance(value, tuple) and all(isinstance(r, LegalRepresentative) for r in value):
        return "; ".join(f"{r.first_name} {r.last_name}" + (f" ({r.relation})" if r.relation else "") for r in value)
    if isinstance(value, date):
        return format_date_fr(value)
    return str(value)


@dataclass
class ImportReport:
    """What an import does (preview) or did: counts, lists, rejected rows, report file."""

    kind: str  # "students" or "organisations"
    source: str
    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header used
    ignored_columns: tuple[str, ...] = ()
    report_path: Path | None = None
    written: bool = False
    headers: tuple[str, ...] = ()  # the file's columns, for the rejected-rows report
    raw: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def of(self, changes: list[Change], kind: str | None = None) -> list[Change]:
        kind = kind or self.kind
        return [c for c in changes if c.kind == kind]

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({e.line for e in self.rejected})

    @property
    def rejected_rows(self) -> list[tuple[str, int]]:
        """(file, line) of each bad row: an import may read two files (learners and responsables)."""
        return sorted({(e.source, e.line) for e in self.rejected})

    def counts(self) -> dict[str, int]:
        out = {
            "created": len(self.of(self.created)),
            "updated": len(self.of(self.updated)),
            "unchanged": len(self.of(self.unchanged)),
            "skipped": len(self.skipped),
            "rejected": len(self.rejected_rows),
        }
        if self.kind == "organisations":
            out["tutors_created"] = len(self.of(self.created, "tutors"))
            out["tutors_updated"] = len(self.of(self.updated, "tutors"))
        return out

    def errors(self) -> list[FieldError]:
        return [e.field_error() for e in self.rejected]

    def raise_if_rejected(self) -> None:
        """What an import without `keep_good` does with bad rows (for ``--dry-run``)."""
        if self.rejected:
            raise ValidationFailed(self.errors())

    def summary(self) -> str:
        """One French sentence: « Élèves : 3 créés, 1 mis à jour, 20 inchangés, 2 ignorés. »"""
        n = self.counts()
        if self.kind == "students":
            parts = [f"{n['created']} {_plural(n['created'], 'créé')}",
                     f"{n['updated']} {_plural(n['updated'], 'mis', 'mis')} à jour",
                     f"{n['unchanged']} {_plural(n['unchanged'], 'inchangé')}"]
            text = "Élèves : " + ", ".join(parts)
            reps = (sum(1 for c in self.of(self.created) if c.record.legal_representatives)
                    + sum(1 for c in self.of(self.updated) if "legal_representatives" in c.fields))
            if reps:
                text += f" (représentants légaux de {reps} {_plural(reps, 'élève')} ajoutés ou mis à jour)"
        else:
            parts = [f"{n['created']} {_plural(n['created'], 'créée')}",
                     f"{n['updated']} {_plural(n['updated'], 'mise')} à jour",
                     f"{n['unchanged']} {_plural(n['unchanged'], 'inchangée')}"]
            text = "Organisations : " + ", ".join(parts)
            text += (f" ; tuteurs : {n['tutors_created']} {_plural(n['tutors_created'], 'ajouté')}, "
                     f"{n['tutors_updated']} {_plural(n['tutors_updated'], 'mis', 'mis')} à jour")
        if n["skipped"]:
            text += f", {n['skipped']} {_plural(n['skipped'], 'ignoré')}"
        if n["rejected"]:
            text += f", {n['rejected']} {_plural(n['rejected'], 'ligne rejetée', 'lignes rejetées')}"
        text += "."
        if self.report_path is not None:
            text += f" Lignes rejetées : {self.report_path}"
        return text


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return singular if n <= 1 else (plural or singular + "s")


# -- reading files ---------------------------------------------------------------------------------
def _bad(source: str, message: str) -> ValidationFailed:
    return ValidationFailed(FieldError(source, message))


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: a regular file only (never a device, a FIFO, a socket: /dev/zero,
    /dev/urandom, a pipe would be read forever), and never more than MAX_FILE_BYTES."""
    source = str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(st.st_mode):
                raise _bad(source, "ce n'est pas un fichier ordinaire (périphérique, tube ou socket) : "
                                   "indiquez le fichier exporté")
            if st.st_size > MAX_FILE_BYTES:
                raise _bad(source, f"fichier trop gros (plus de {MAX_FILE_BYTES // 1024 // 1024} Mo)")
            os.set_blocking(fd, True)
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:  # it grew while being read
                raise _bad(source, f"fichier trop gros (plus de {MAX_FILE_BYTES // 1024 // 1024} Mo)")
            return data
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise _bad(source, "fichier introuvable") from None
    except IsADirectoryError:
        raise _bad(source, "c'est un dossier, pas un fichier") from None
    except PermissionError:
        raise _bad(source, "lecture refusée (droits du fichier)") from None


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _open_zip(data: bytes, source: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise _bad(source, "archive zip illisible") from None
    if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
        raise _bad(source, "archive trop grosse une fois décompressée")
    return archive


def _zip_member(archive: zipfile.ZipFile, source: str) -> tuple[str, bytes]:
    """The one export inside a zip: its XML (the SIECLE one if several), else its CSV."""
    members = [
        i for i in archive.infolist()
        if not i.is_dir() and not i.filename.startswith("__MACOSX/") and not Path(i.filename).name.startswith(".")
    ]
    xml = [i for i in members if i.filename.lower().endswith(".xml")]
    if len(xml) > 1:
        xml = [i for i in xml if "eleve" in fold(Path(i.filename).name)] or xml
    text = [i for i in members if i.filename.lower().endswith((".csv", ".txt"))]
    chosen = xml or text
    if len(chosen) != 1:
        names = ", ".join(f"« {i.filename} »" for i in members) or "aucun fichier"
        why = "plusieurs fichiers possibles" if chosen else "aucun fichier XML ou CSV"
        raise _bad(source, f"archive zip : {why} ({names})")
    info = chosen[0]
    if info.flag_bits & 0x1:
        raise _bad(source, "archive protégée par un mot de passe : extrayez le fichier et importez-le")
    try:
        with archive.open(info) as member:
            data = member.read(MAX_UNZIPPED_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
        raise _bad(source, f"archive zip : « {info.filename} » illisible") from None
    return f"{source}:{info.filename}", data


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else cp1252 (Latin-1 and « Œ », « € »)."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                raise _bad(source, f"texte illisible : le fichier annonce {codec.upper()} mais ne l'est pas") from None
    if b"\x00" in data[:4096]:
        raise _bad(source, "fichier binaire : un CSV (texte) ou un classeur .xlsx est attendu")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: plain Latin-1
        return data.decode("latin-1")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return format_date_fr(value.date()) if value.time() == time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return format_date_fr(value)
    return str(value)


def _xlsx_rows(data: bytes, source: str) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise _bad(source, "classeur .xlsx illisible") from None
    try:
        for sheet in workbook.worksheets:  # the first sheet that has something
            rows: Table = []
            deadline = _monotonic() + MAX_SECONDS
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS or len(values) > MAX_COLUMNS:
                    raise _bad(source, f"feuille trop grande (plus de {MAX_ROWS} lignes ou {MAX_COLUMNS} colonnes)")
                if number % 1024 == 0 and _monotonic() > deadline:
                    raise _bad(source, f"feuille trop longue à lire (plus de {MAX_SECONDS:g} s)")
                cells = [_cell_text(c).strip() for c in values]
                if any(cells):
                    rows.append((number, cells))
            if rows:
                return rows
        return []
    finally:
        workbook.close()


def _is_xml(data: bytes) -> bool:
    head = data[:200].lstrip(codecs.BOM_UTF8).lstrip()
    return head.startswith(b"<?xml") or head.startswith(b"<BEE_ELEVES")


def _load(path: str | os.PathLike) -> tuple[str, str, Any]:
    """(source name, format, content): ("xml", bytes), ("csv", text) or ("table", rows)."""
    path = Path(path)
    source = str(path)
    data = _read_bytes(path)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _bad(source, "classeur Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou CSV")
    if _is_zip(data):
        archive = _open_zip(data, source)
        names = set(archive.namelist())
        if "xl/workbook.xml" in names:
            return source, "table", _xlsx_rows(data, source)
        if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
            raise _bad(source, "classeur OpenDocument (.ods) : enregistrez-le au format .xlsx ou CSV")
        source, data = _zip_member(archive, source)
        if len(data) > MAX_UNZIPPED_BYTES:
            raise _bad(source, "fichier trop gros une fois décompressé")
    if _is_xml(data):
        return source, "xml", data
    return source, "csv", decode_text(data, source)


def read_students(path: str | os.PathLike, division: str | None = None) -> tuple[str, Parsed]:
    source, fmt, content = _load(path)
    if fmt == "xml":
        return source, parse_students_xml(content, division)
    rows = content if fmt == "table" else csv_rows(content)
    return source, parse_students_table(rows, division)


def read_responsables(path: str | os.PathLike) -> tuple[str, ResponsablesParsed]:
    """SIECLE ``ResponsablesAvecAdresses.xml`` (zipped or not): the legal representatives by ELEVE_ID."""
    source, fmt, content = _load(path)
    if fmt != "xml":
        raise _bad(source, "--responsables : l'export XML SIECLE « ResponsablesAvecAdresses » est attendu "
                           "(zippé ou non)")
    return source, parse_responsables_xml(content, source)


def read_organisations(path: str | os.PathLike, mapping: Mapping[str, str] | None = None) -> tuple[str, Parsed]:
    source, fmt, content = _load(path)
    if fmt == "xml":
        raise _bad(source, "fichier XML : un CSV ou un classeur .xlsx d'organisations est attendu")
    rows = content if fmt == "table" else csv_rows(content)
    return source, parse_organisations_table(rows, mapping)


# -- students ------------------------------------------------------------------------------------------
def _check_cohort(snap: Snapshot, cohort_id: str) -> None:
    if snap.get("cohorts", cohort_id) is None:
        raise ValidationFailed(FieldError("--cohort", f"cohorte inconnue « {cohort_id} »"))


def _student_key(last_name: str, first_name: str, birth: date | None) -> tuple[str, date | None]:
    return person_key(last_name, first_name), birth


def _match_student(row: StudentRow, by_ine: dict[str, Student],
                   by_person: dict[tuple, list[Student]]) -> tuple[Student | None, str | None]:
    """The stored learner this row is, or None; or a reason to reject the row."""
    if row.ine and row.ine in by_ine:
        return by_ine[row.ine], None
    same = by_person.get(_student_key(row.last_name, row.first_name, row.birth_date), [])
    candidates = [s for s in same if not (row.ine and s.ine)]  # two different INE: two people
    if len(candidates) > 1:
        ids = ", ".join(s.id for s in candidates)
        return None, f"plusieurs élèves du magasin ont ces nom, prénom et date de naissance ({ids})"
    return (candidates[0] if candidates else None), None


def _representatives(row: RepresentativeRow) -> LegalRepresentative:
    return LegalRepresentative(row.last_name, row.first_name, row.relation, row.email, row.phone, row.address)


def merge_representatives(stored: tuple[LegalRepresentative, ...],
                          imported: tuple[LegalRepresentative, ...]) -> tuple[LegalRepresentative, ...]:
    """SIECLE's legal representatives, in its order (RESP_LEGAL 1, 2), replacing the stored ones.

    A representative is the stored one with the same names (folded); a blank cell of the
    export keeps the stored value. A stored representative SIECLE no longer lists is
    dropped: SIECLE is where the school records who holds parental authority."""
    out = []
    for new in imported:
        old = next((r for r in stored if person_key(r.last_name, r.first_name) == person_key(new.last_name, new.first_name)),
                    None)
        if old is not None:  # names as stored (they differ at most by case or accents)
            new = replace(new, last_name=old.last_name, first_name=old.first_name,
                          **{f: getattr(old, f) for f in ("relation", "email", "phone", "address")
                             if getattr(new, f) is None})
        out.append(new)
    return tuple(out)


def _imported_representatives(parsed: Parsed, responsables: ResponsablesParsed | None) -> dict[int, tuple]:
    """Row line -> the learner's legal representatives in the export (rows without any keep theirs)."""
    if responsables is None:
        return {}
    out = {}
    for row in parsed.rows:
        found = responsables.by_student.get(row.siecle_id or "")
        if found:
            out[row.line] = tuple(_representatives(r) for r in found)
    return out


def _plan_students(snap: Snapshot, parsed: Parsed, cohort_id: str, report: ImportReport,
                   responsables: ResponsablesParsed | None = None) -> None:
    by_ine = {s.ine: s for s in snap.data.students if s.ine}
    by_person: dict[tuple, list[Student]] = {}
    for s in snap.data.students:
        by_person.setdefault(_student_key(s.last_name, s.first_name, s.birth_date), []).append(s)
    claimed: dict[str, int] = {}
    name_column = parsed.columns.get("last_name", "NOM")
    representatives = _imported_representatives(parsed, responsables)
    for row in parsed.rows:
        match, why = _match_student(row, by_ine, by_person)
        if why:
            report.rejected.append(RowError(row.line, name_column, why))
            continue
        if match is None:
            student = Student(
                id=new_id("stu"), last_name=row.last_name, first_name=row.first_name, cohort_id=cohort_id,
                voie="scolaire", ine=row.ine, birth_date=row.birth_date, cycle_years=3, positioned=False,
                legal_representatives=representatives.get(row.line, ()),
            )
            report.created.append(Change("students", student, lines=(row.line,)))
            continue
        if match.id in claimed:
            report.rejected.append(RowError(row.line, name_column,
                                            f"même élève que la ligne {claimed[match.id]} ({match.full_name})"))
            continue
        claimed[match.id] = row.line
        changes: dict[str, Any] = {}
        if fold(row.last_name) != fold(match.last_name):
            changes["last_name"] = row.last_name
        if fold(row.first_name) != fold(match.first_name):
            changes["first_name"] = row.first_name
        if row.birth_date != match.birth_date:
            changes["birth_date"] = row.birth_date
        if row.ine and row.ine != match.ine:
            changes["ine"] = row.ine
        if match.cohort_id != cohort_id:
            changes["cohort_id"] = cohort_id
        if row.line in representatives:
            merged = merge_representatives(match.legal_representatives, representatives[row.line])
            if merged != match.legal_representatives:
                changes["legal_representatives"] = merged
        rev = snap.rev("students", match.id)
        if changes:
            report.updated.append(Change("students", replace(match, **changes), match, rev, (row.line,), tuple(changes)))
        else:
            report.unchanged.append(Change("students", match, match, rev, (row.line,)))


def _report_from(kind: str, source: str, parsed: Parsed) -> ImportReport:
    return ImportReport(
        kind=kind, source=source, skipped=list(parsed.skipped), rejected=list(parsed.errors),
        columns=dict(parsed.columns), ignored_columns=parsed.ignored, headers=parsed.headers, raw=parsed.raw,
    )


def preview_students(repo: Repository, path: str | os.PathLike, cohort_id: str, *,
                     division: str | None = None, responsables: str | os.PathLike | None = None) -> ImportReport:
    """What `import_students` would do, without writing; bad rows are listed, not raised."""
    _check_cohort(repo.snapshot(), cohort_id)  # before reading a file for nothing
    source, parsed, resp = _read_students_and_responsables(path, division, responsables)
    return _plan_students_report(repo, source, parsed, cohort_id, resp)


def _read_students_and_responsables(path: str | os.PathLike, division: str | None,
                                    responsables: str | os.PathLike | None) -> tuple[str, Parsed, Any]:
    source, parsed = read_students(path, division)
    if responsables is None:
        return source, parsed, None
    if parsed.headers != SIECLE_XML_HEADERS:  # a CSV has no ELEVE_ID to link the two
        raise _bad("--responsables", "les responsables se lient aux élèves par ELEVE_ID : importez l'export XML "
                                     "des élèves (ElevesAvecAdresses ou ElevesSansAdresses), pas une liste CSV")
    resp_source, resp = read_responsables(responsables)
    # Two files: each bad row names its own.
    parsed.errors = [replace(e, source=source) if not e.source else e for e in parsed.errors]
    parsed.errors += resp.errors
    return source, parsed, resp


def _plan_students_report(repo: Repository, source: str, parsed: Parsed, cohort_id: str,
                          responsables: ResponsablesParsed | None = None) -> ImportReport:
    snap = repo.snapshot()
    _check_cohort(snap, cohort_id)
    report = _report_from("students", source, parsed)
    _plan_students(snap, parsed, cohort_id, report, responsables)
    report.rejected.sort(key=lambda e: (e.source, e.line))
    return report


def import_students(repo: Repository, path: str | os.PathLike, cohort_id: str, *, division: str | None = None,
                    keep_good: bool = False, exports_dir: Path = Path("exports"),
                    responsables: str | os.PathLike | None = None) -> ImportReport:
    """Learners of a SIECLE export (XML, zipped or not, or CSV) into `cohort_id`, all or nothing.

    With `responsables` (SIECLE ``ResponsablesAvecAdresses.xml``, linked to the learners'
    XML export by ELEVE_ID), each learner's legal representatives (RESP_LEGAL 1 and 2) are
    imported too (`merge_representatives`); a bad row of either file refuses the whole
    import, and with `keep_good` a learner with a bad responsable row keeps the stored ones.

    The file is read first; matching it with the store and writing happen in one
    transaction, so that imports running at once never create a learner twice (issue 10).
    """
    _check_cohort(repo.snapshot(), cohort_id)
    source, parsed, resp = _read_students_and_responsables(path, division, responsables)
    with repo.transaction():
        report = _plan_students_report(repo, source, parsed, cohort_id, resp)
        return apply_import(repo, report, keep_good=keep_good, exports_dir=exports_dir)


# -- legal representatives only -------------------------------------------------------------------------
def _plan_representatives(snap: Snapshot, parsed: Parsed, responsables: ResponsablesParsed,
                          report: ImportReport) -> None:
    """Only the legal representatives of learners already stored (any cohort): nothing else changes."""
    by_ine = {s.ine: s for s in snap.data.students if s.ine}
    by_person: dict[tuple, list[Student]] = {}
    for s in snap.data.students:
        by_person.setdefault(_student_key(s.last_name, s.first_name, s.birth_date), []).append(s)
    representatives = _imported_representatives(parsed, responsables)
    name_column = parsed.columns.get("last_name", "NOM")
    claimed: dict[str, int] = {}
    for row in parsed.rows:
        match, why = _match_student(row, by_ine, by_person)
        if why:
            report.rejected.append(RowError(row.line, name_column, why, report.source))
            continue
        if match is None:
            report.skipped.append(Skipped(row.line, row.label, "absent du magasin (importez d'abord les élèves)"))
            continue
        if match.id in claimed:
            report.rejected.append(RowError(row.line, name_column, f"même élève que la ligne {claimed[match.id]} "
                                            f"({match.full_name})", report.source))
            continue
        claimed[match.id] = row.line
        rev = snap.rev("students", match.id)
        merged = (merge_representatives(match.legal_representatives, representatives[row.line])
                  if row.line in representatives else match.legal_representatives)
        if merged != match.legal_representatives:
            report.updated.append(Change("students", replace(match, legal_representatives=merged), match, rev,
                                         (row.line,), ("legal_representatives",)))
        else:
            report.unchanged.append(Change("students", match, match, rev, (row.line,)))


def _plan_representatives_report(repo: Repository, source: str, parsed: Parsed,
                                 responsables: ResponsablesParsed) -> ImportReport:
    report = _report_from("students", source, parsed)
    _plan_representatives(repo.snapshot(), parsed, responsables, report)
    report.rejected.sort(key=lambda e: (e.source, e.line))
    return report


def preview_representatives(repo: Repository, path: str | os.PathLike,
                            students: str | os.PathLike) -> ImportReport:
    """What `import_representatives` would do, without writing; bad rows are listed, not raised."""
    source, parsed, resp = _read_students_and_responsables(students, None, path)
    return _plan_representatives_report(repo, source, parsed, resp)


def import_representatives(repo: Repository, path: str | os.PathLike, students: str | os.PathLike, *,
                           keep_good: bool = False, exports_dir: Path = Path("exports")) -> ImportReport:
    """The legal representatives of SIECLE ``ResponsablesAvecAdresses`` for the learners of the
    learners' XML export `students` who are already stored, whatever their cohort; learners
    are neither created nor moved. All or nothing, as `import_students`."""
    source, parsed, resp = _read_students_and_responsables(students, None, path)
    with repo.transaction():
        report = _plan_representatives_report(repo, source, parsed, resp)
        return apply_import(repo, report, keep_good=keep_good, exports_dir=exports_dir)


# -- organisations ---------------------------------------------------------------------------------------
def _org_key(name: str, siret: str | None, postcode: str | None, city: str | None) -> tuple:
    if siret:
        return ("siret", siret)
    return ("name", fold(name), postcode or fold(city or ""))


def _same_tutor(a_last: str, a_first: str, a_email: str | None, b: Tutor) -> bool:
    if person_key(a_last, a_first) != person_key(b.last_name, b.first_name):
        return False
    return not a_email or not b.email or a_email.casefold() == b.email.casefold()


ORG_FIELDS_MERGED = ("name", "siret", "address", "postcode", "city", "country")


def _plan_organisations(snap: Snapshot, parsed: Parsed, report: ImportReport) -> None:
    stored = {_org_key(o.name, o.siret, o.postcode, o.city): o for o in snap.data.organisations}
    tutors_of: dict[str, list[Tutor]] = {}
    for t in snap.data.tutors:
        tutors_of.setdefault(t.organisation_id, []).append(t)

    groups: dict[tuple, list[OrganisationRow]] = {}
    for row in parsed.rows:
        groups.setdefault(_org_key(row.name, row.siret, row.postcode, row.city), []).append(row)

    for key, rows in groups.items():
        lines = tuple(r.line for r in rows)
        # The file's values: the first non-empty cell of the rows of this organisation.
        given = {f: next((getattr(r, f) for r in rows if getattr(r, f)), None) for f in ORG_FIELDS_MERGED}
        existing = stored.get(key)
        if existing is None:
            org = Organisation(new_id("org"), given["name"], given["siret"], given["address"],
                               given["postcode"], given["city"], given["country"] or "FR")
            report.created.append(Change("organisations", org, lines=lines))
        else:
            changes = {}
            for f in ORG_FIELDS_MERGED:
                value = given[f]
                if value is None:
                    continue  # a blank cell keeps what the store has
                if (fold(value) != fold(existing.name)) if f == "name" else (value != getattr(existing, f)):
                    changes[f] = value
            org = replace(existing, **changes) if changes else existing
            rev = snap.rev("organisations", existing.id)
            if changes:
                report.updated.append(Change("organisations", org, existing, rev, lines, tuple(changes)))
            else:
                report.unchanged.append(Change("organisations", org, existing, rev, lines))
        _plan_tutors(snap, org.id, rows, tutors_of.get(org.id, []), report)


TUTOR_DETAILS = ("email", "phone", "job_title")


def _plan_tutors(snap: Snapshot, org_id: str, rows: list[OrganisationRow], stored: list[Tutor],
                 report: ImportReport) -> None:
    """The tutors of one organisation's rows: new ones created, known ones completed."""
    known = list(stored)  # current version of each tutor (stored, or as this import leaves it)
    plan: dict[str, Change] = {}
    for r in rows:
        t = r.tutor
        if t is None:
            continue
        i = next((n for n, k in enumerate(known) if _same_tutor(t.last_name, t.first_name, t.email, k)), None)
        if i is None:
            tutor = Tutor(new_id("tu"), org_id, t.last_name, t.first_name, t.email, t.phone, t.job_title)
            known.append(tutor)
            plan[tutor.id] = Change("tutors", tutor, lines=(r.line,))
            continue
        current = known[i]
        earlier = plan.get(current.id)
        if earlier is None:  # first row for a stored tutor: the file's non-empty cells replace
            fill = {f: getattr(t, f) for f in TUTOR_DETAILS if getattr(t, f) and getattr(t, f) != getattr(current, f)}
        else:  # another row for the same tutor: only fill what is still blank
            fill = {f: getattr(t, f) for f in TUTOR_DETAILS if getattr(t, f) and not getattr(current, f)}
        record = replace(current, **fill) if fill else current
        known[i] = record
        if earlier is not None and earlier.before is None:
            plan[current.id] = replace(earlier, record=record, lines=earlier.lines + (r.line,))
            continue
        before = current if earlier is None else earlier.before
        lines = (earlier.lines if earlier else ()) + (r.line,)
        fields = tuple(f for f in TUTOR_DETAILS if getattr(record, f) != getattr(before, f))
        plan[current.id] = Change("tutors", record, before, snap.rev("tutors", current.id), lines, fields)
    for change in plan.values():
        if change.before is None:
            report.created.append(change)
        elif change.fields:
            report.updated.append(change)
        else:
            report.unchanged.append(change)


def preview_organisations(repo: Repository, path: str | os.PathLike, *,
                          mapping: Mapping[str, str] | None = None) -> ImportReport:
    """What `import_organisations` would do, without writing; bad rows are listed, not raised."""
    source, parsed = read_organisations(path, mapping)
    return _plan_organisations_report(repo, source, parsed)


def _plan_organisations_report(repo: Repository, source: str, parsed: Parsed) -> ImportReport:
    snap = repo.snapshot()
    report = _report_from("organisations", source, parsed)
    _plan_organisations(snap, parsed, report)
    return report


def import_organisations(repo: Repository, path: str | os.PathLike, *, mapping: Mapping[str, str] | None = None,
                         keep_good: bool = False, exports_dir: Path = Path("exports")) -> ImportReport:
    """Organisations and their tutors from a CSV or XLSX, merged by SIRET, all or nothing.

    Read first; matched and written in one transaction (see `import_students`)."""
    source, parsed = read_organisations(path, mapping)
    with repo.transaction():
        report = _plan_organisations_report(repo, source, parsed)
        return apply_import(repo, report, keep_good=keep_good, exports_dir=exports_dir)


# -- writing ------------------------------------------------------------------------------------------------
def _check_still_current(repo: Repository, report: ImportReport) -> None:
    """Nobody saved the records this change set updates, nor created what it creates, since the preview."""
    snap = repo.snapshot()
    for c in report.updated:  # unchanged records are not written: an edit of them since is kept
        rev = snap.rev(c.kind, c.record.id)
        if rev != c.rev:
            raise ConflictError(c.kind, c.record.id, snap.get(c.kind, c.record.id), rev)
    if report.kind == "students":
        by_ine = {s.ine: s for s in snap.data.students if s.ine}
        by_person = {_student_key(s.last_name, s.first_name, s.birth_date): s for s in snap.data.students}
        for c in report.of(report.created):
            s = c.record
            other = (by_ine.get(s.ine) if s.ine else None) or by_person.get(_student_key(s.last_name, s.first_name, s.birth_date))
            if other is not None:
                raise ConflictError("students", other.id, other, snap.rev("students", other.id))
    else:
        stored = {_org_key(o.name, o.siret, o.postcode, o.city): o for o in snap.data.organisations}
        for c in report.of(report.created):
            o = c.record
            other = stored.get(_org_key(o.name, o.siret, o.postcode, o.city))
            if other is not None:
                raise ConflictError("organisations", other.id, other, snap.rev("organisations", other.id))


def apply_import(repo: Repository, report: ImportReport, *, keep_good: bool = False,
                 exports_dir: Path = Path("exports")) -> ImportReport:
    """Write a previewed change set in one commit; returns the report with `written` (and its report path).

    With rejected rows and no `keep_good`: `ValidationFailed`, nothing written.
    """
    if report.rejected and not keep_good:
        raise ValidationFailed(report.errors())
    with repo.transaction():  # re-checked and written under one lock: nobody slips in between
        return _apply_import(repo, report, exports_dir)


def _apply_import(repo: Repository, report: ImportReport, exports_dir: Path) -> ImportReport:
    repo.store.check()  # a corrupt or newer store is refused before anything is written
    _check_still_current(repo, report)
    changes = Dataset()
    expected: dict[tuple[str, str], int] = {}
    for c in report.created + report.updated:
        getattr(changes, c.kind).append(c.record)
        # Checked again inside the commit: nobody may have saved these since the preview.
        expected[(c.kind, c.record.id)] = c.rev if c.before is not None else 0
    report_path = write_rejected_report(report, exports_dir) if report.rejected else None
    try:
        if not changes.is_empty():
            repo.upsert_all(changes, expected)
    except BaseException:
        if report_path is not None:
            with contextlib.suppress(OSError):
                report_path.unlink()
        raise
    return replace(report, written=True, report_path=report_path)


def rejected_report_bytes(report: ImportReport) -> bytes:
    """One line per bad field: line, column, reason, then the row as the file has it."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*REPORT_COLUMNS, *(neutralise(h) for h in report.headers)])  # the file's headers too
    for e in report.rejected:
        # Another file's line (the responsables' export) has no cells among this file's columns.
        other = e.source and e.source != report.source
        cells = () if other else report.raw.get(e.line, ())
        column = f"{e.source} : {e.column}" if other else e.column
        writer.writerow([str(e.line), neutralise(column), neutralise(e.reason), *(neutralise(c) for c in cells)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_rejected_report(report: ImportReport, exports_dir: Path, today: date | None = None) -> Path:
    """``exports/import-eleves-rejets_2026-09-14.csv`` (never an existing file), mode 0600."""
    what = "eleves" if report.kind == "students" else "organisations"
    path = unique_path(Path(exports_dir), f"import-{what}-rejets_{(today or date.today()).isoformat()}", ".csv")
    return write_private(path, rejected_report_bytes(report))

