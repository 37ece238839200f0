"""Organisations and their tutors from spreadsheet rows: headers guessed or mapped, cells fixed."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from .. import validation as v
from ..errors import FieldError, ValidationFailed
from .normalise import header_key, header_words, tidy
from .records import OrganisationRow, Parsed, RowChecker, RowError, TutorRow, required_name
from .tables import HEADER_SEARCH, Table, cell_text, csv_rows, headers_found


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
                f"entête « {header} » introuvable (entêtes trouvés : {headers_found(cleaned)})",
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
    check = RowChecker(line, errors)
    name = check(columns["name"], required_name(values.get("name", ""), "nom de l'organisation"))
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
        tlast = check(columns.get("tutor_last_name", name_column), required_name(last, "nom du tuteur"))
        tfirst = check(columns.get("tutor_first_name", name_column), required_name(first, "prénom du tuteur"))
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
            f"entêtes trouvés : {headers_found(headers)} ; indiquez la correspondance name=ENTÊTE",
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
        values = {f: cell_text(cells, i) for f, i in index.items()}
        row = _check_organisation(line, values, columns, parsed.errors)
        if row is not None:
            parsed.rows.append(row)
    return parsed


def parse_organisations_csv(text: str, mapping: Mapping[str, str] | None = None) -> Parsed:
    return parse_organisations_table(csv_rows(text), mapping)
