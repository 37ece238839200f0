"""Learner lists as rows: the SIECLE CSV « liste des élèves par division » or a hand-made list."""

from __future__ import annotations

from datetime import date
from typing import Mapping, Sequence

from .. import validation as v
from ..errors import FieldError, ValidationFailed
from .normalise import header_key, person_key, tidy
from .records import Parsed, RowError, RowChecker, Skipped, StudentRow, required_name
from .tables import HEADER_SEARCH, Table, cell_text, csv_rows, headers_found

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


def skip_reason(division: str | None, wanted: str | None, left_on: str) -> str | None:
    """Why a learner is left aside, before any check of their data (their errors do not matter)."""
    if left_on:
        return f"sortie de l'établissement le {left_on}"
    if wanted is not None:
        if not division:
            return "aucune division"
        if _division_key(division) != _division_key(wanted):
            return f"autre division « {division} »"
    return None


def check_student(
    line: int,
    values: Mapping[str, str],
    columns: Mapping[str, str],
    division: str | None,
    errors: list[RowError],
) -> StudentRow | None:
    check = RowChecker(line, errors)
    last = check(columns["last_name"], required_name(values.get("last_name", ""), "nom"))
    first = check(columns["first_name"], required_name(values.get("first_name", ""), "prénom"))
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


def refuse_duplicates(parsed: Parsed) -> None:
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
            f"(entêtes trouvés : {headers_found(headers)})",
        ))
    header_line, headers = rows[header_at]
    index = match_student_headers(headers)
    missing = [f for f in ("birth_date",) if f not in index]
    if division is not None and "division" not in index:
        missing.append("division")
    if missing:
        what = ", ".join(STUDENT_FIELDS[f] for f in missing)
        raise ValidationFailed(FieldError(
            "entêtes", f"colonne introuvable : {what} (entêtes trouvés : {headers_found(headers)})"
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
        values = {f: cell_text(cells, i) for f, i in index.items()}
        label = f"{values.get('last_name', '').upper()} {values.get('first_name', '')}".strip()
        div = values.get("division") or None
        why = skip_reason(div, division, values.get("left_on", ""))
        if why:
            parsed.skipped.append(Skipped(line, label, why))
            continue
        row = check_student(line, values, columns, div, parsed.errors)
        if row is not None:
            parsed.rows.append(row)
    refuse_duplicates(parsed)
    return parsed


def parse_students_csv(text: str, division: str | None = None) -> Parsed:
    """SIECLE « liste des élèves par division » (or any list with NOM, PRENOM, NE(E) LE…)."""
    return parse_students_table(csv_rows(text), division)

