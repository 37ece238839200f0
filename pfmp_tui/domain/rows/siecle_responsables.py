"""SIECLE ``ExportXML_ResponsablesAvecAdresses.xml``: learners' legal representatives.

The export (BEE « Exports XML génériques », the one Gepi, SACoche or Pronote read) is
three lists linked by identifiers:

- ``BEE_RESPONSABLES/DONNEES/PERSONNES/PERSONNE`` (attribute PERSONNE_ID): ``NOM_DE_FAMILLE``
  (``NOM`` in exports before 2016), ``NOM_USAGE``, ``PRENOM``, ``LC_CIVILITE``,
  ``TEL_PERSONNEL``, ``TEL_PORTABLE``, ``TEL_PROFESSIONNEL``, ``MEL``, ``ADRESSE_ID``;
- ``…/RESPONSABLES/RESPONSABLE_ELEVE``: ``ELEVE_ID`` (the learners' export's ELEVE_ID),
  ``PERSONNE_ID``, ``RESP_LEGAL`` (1 or 2: représentant légal; 0: personne à contacter,
  not imported), ``CODE_PARENTE``, ``RESP_FINANCIER``, ``PERS_CONTACT``…;
- ``…/ADRESSES/ADRESSE`` (attribute ADRESSE_ID): ``LIGNE1_ADRESSE`` … ``LIGNE4_ADRESSE``,
  ``CODE_POSTAL``, ``LIBELLE_POSTAL`` (else ``LL_COMMUNE_INSEE``, else ``COMMUNE_ETRANGERE``),
  ``LL_PAYS``.

CODE_PARENTE is the national nomenclature « lien de parenté » (BCN
N_LIEN_ELEVE_RESPONSABLE), as dossierSCO and the AAF/ENT exports use it: see
`RELATIONS`. An unknown code is a bad row (the import says which code).

Every value goes through the domain's validators (`validation.parse_email`,
`parse_phone`, `parse_postcode`); a bad one is a `RowError` naming the file's tag and the
line of its element. Bounds and the DOCTYPE refusal are those of the learners' export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from .. import validation as v
from ..errors import FieldError, ValidationFailed
from .normalise import tidy
from .records import RepresentativeRow, RowError, RowChecker, required_name
from .siecle_xml import MAX_LEARNERS, BoundedHandler, _too_much, run_expat

# CODE_PARENTE -> the relation as the convention prints it.
RELATIONS: dict[str, str] = {
    "10": "mère",
    "20": "père",
    "37": "frère ou sœur",
    "38": "ascendant",
    "39": "autre membre de la famille",
    "41": "éducateur",
    "42": "assistant familial",
    "43": "garde d'enfant",
    "50": "tuteur",
    "51": "aide sociale à l'enfance",
    "70": "élève lui-même",
    "90": "autre lien",
}
LEGAL_RANKS = ("1", "2")  # RESP_LEGAL; "0" is a « personne à contacter », not a legal representative
MAX_LINKS = 4 * MAX_LEARNERS  # RESPONSABLE_ELEVE (and PERSONNE) elements: a learner has a few

_ROOT = "BEE_RESPONSABLES/DONNEES"
_PERSONNE = f"{_ROOT}/PERSONNES/PERSONNE"
_LINK = f"{_ROOT}/RESPONSABLES/RESPONSABLE_ELEVE"
_ADRESSE = f"{_ROOT}/ADRESSES/ADRESSE"


@dataclass
class ResponsablesParsed:
    """Legal representatives by ELEVE_ID (ranked), the bad rows, and who had a bad row."""

    by_student: dict[str, list[RepresentativeRow]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    bad_students: set[str] = field(default_factory=set)  # ELEVE_IDs with a bad row: keep what is stored
    contacts_skipped: int = 0  # RESP_LEGAL 0


class _Handler(BoundedHandler):
    """Expat callbacks: each PERSONNE, RESPONSABLE_ELEVE and ADRESSE with the line of each field."""

    def __init__(self, parser: expat.XMLParserType):
        super().__init__(parser)
        self.personnes: dict[str, dict] = {}
        self.links: list[dict] = []
        self.adresses: dict[str, dict] = {}
        self._current: dict | None = None
        self._field_line = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        path = self.enter(name)
        line = self.parser.CurrentLineNumber
        if path in (_PERSONNE, _LINK, _ADRESSE):
            self._current = {"line": line, "attrs": dict(attrs), "fields": {}}
        self._field_line = line

    def end(self, name: str) -> None:
        path = "/".join(self.stack)
        if self._current is not None and len(self.stack) == 5:
            self._current["fields"].setdefault(name, ("".join(self.text).strip(), self._field_line))
        elif path in (_PERSONNE, _LINK, _ADRESSE) and self._current is not None:
            item, self._current = self._current, None
            if path == _LINK:
                self.links.append(item)
            else:
                key = "PERSONNE_ID" if path == _PERSONNE else "ADRESSE_ID"
                ident = item["attrs"].get(key) or item["fields"].get(key, ("", 0))[0]
                (self.personnes if path == _PERSONNE else self.adresses).setdefault(ident, item)
            if len(self.links) > MAX_LINKS or len(self.personnes) > MAX_LINKS or len(self.adresses) > MAX_LINKS:
                raise _too_much(self.parser.CurrentLineNumber, f"plus de {MAX_LINKS} responsables")
        self.leave()


def _value(item: dict, tag: str) -> tuple[str, int]:
    text, line = item["fields"].get(tag, ("", 0))
    return text, line or item["line"]


class _Rows:
    """Checks one link at a time, pointing each error at its element's line in `source`."""

    def __init__(self, handler: _Handler, source: str):
        self.h = handler
        self.source = source
        self.out = ResponsablesParsed()
        self._checked: dict[str, tuple[dict | None, list[RowError]]] = {}  # PERSONNE_ID -> (values, errors)

    def error(self, line: int, tag: str, reason: str) -> RowError:
        return RowError(line, tag, reason, self.source)

    def person(self, pid: str, link_line: int) -> tuple[dict | None, list[RowError]]:
        """The checked values of one PERSONNE (checked once even when several learners share it)."""
        if pid in self._checked:
            return self._checked[pid][0], []  # its errors are already reported
        item = self.h.personnes.get(pid)
        if item is None:
            result = (None, [self.error(link_line, "PERSONNE_ID", f"personne « {pid} » absente de PERSONNES")])
            self._checked[pid] = result
            return result
        errors: list[RowError] = []
        values: dict = {}

        def check(tag: str, parse) -> object:  # noqa: ANN001
            text, line = _value(item, tag)
            found: list[RowError] = []
            result = RowChecker(line, found)(tag, lambda: parse(text))
            errors.extend(self.error(e.line, e.column, e.reason) for e in found)
            return result

        usage = _value(item, "NOM_USAGE")[0]
        name_tag = "NOM_USAGE" if usage else ("NOM_DE_FAMILLE" if "NOM_DE_FAMILLE" in item["fields"] else "NOM")
        values["last_name"] = check(name_tag, lambda t: required_name(t, "nom")())
        values["first_name"] = check("PRENOM", lambda t: required_name(t, "prénom")())
        values["email"] = check("MEL", lambda t: v.parse_email(t, ""))
        phone_tag = next((t for t in ("TEL_PORTABLE", "TEL_PERSONNEL", "TEL_PROFESSIONNEL") if _value(item, t)[0]),
                         None)
        values["phone"] = check(phone_tag, lambda t: v.parse_phone(tidy(t), "")) if phone_tag else None
        values["address"] = self.address(_value(item, "ADRESSE_ID")[0], item, errors)
        result = (None if errors else values, errors)
        self._checked[pid] = result
        return result

    def address(self, aid: str, person: dict, errors: list[RowError]) -> str | None:
        if not aid:
            return None
        item = self.h.adresses.get(aid)
        if item is None:
            _, line = _value(person, "ADRESSE_ID")
            errors.append(self.error(line, "ADRESSE_ID", f"adresse « {aid} » absente de ADRESSES"))
            return None
        lines = [tidy(_value(item, f"LIGNE{i}_ADRESSE")[0]) for i in range(1, 5)]
        country = tidy(_value(item, "LL_PAYS")[0])
        in_france = country.upper() in ("", "FRANCE")
        postcode, pc_line = _value(item, "CODE_POSTAL")
        try:
            postcode = v.parse_postcode(tidy(postcode), "", "FR" if in_france else None) or ""
        except ValidationFailed as exc:
            errors.extend(self.error(pc_line, "CODE_POSTAL", e.message) for e in exc.errors)
            return None
        town = next((tidy(_value(item, t)[0]) for t in ("LIBELLE_POSTAL", "LL_COMMUNE_INSEE", "COMMUNE_ETRANGERE")
                     if _value(item, t)[0]), "")
        parts = [x for x in lines if x] + [" ".join(x for x in (postcode, town) if x)]
        if not in_france:
            parts.append(country)
        text = ", ".join(p for p in parts if p)
        try:
            return v.optional_str(text, "", max_len=500)
        except ValidationFailed as exc:
            errors.extend(self.error(item["line"], "ADRESSE", e.message) for e in exc.errors)
            return None

    def link(self, item: dict) -> None:
        eleve_id, _ = _value(item, "ELEVE_ID")
        pid, _ = _value(item, "PERSONNE_ID")
        rank, rank_line = _value(item, "RESP_LEGAL")
        if rank not in LEGAL_RANKS:
            if rank in ("", "0"):
                self.out.contacts_skipped += 1
                return
            self.fail(eleve_id, self.error(rank_line, "RESP_LEGAL", f"valeur « {rank} » inconnue (attendu 0, 1 ou 2)"))
            return
        errors: list[RowError] = []
        if not eleve_id:
            errors.append(self.error(item["line"], "ELEVE_ID", "identifiant de l'élève manquant"))
        code, code_line = _value(item, "CODE_PARENTE")
        relation = RELATIONS.get(code) if code else None
        if code and relation is None:
            known = ", ".join(f"{k} {label}" for k, label in RELATIONS.items())
            errors.append(self.error(code_line, "CODE_PARENTE", f"lien de parenté inconnu « {code} » (codes connus : {known})"))
        values, person_errors = self.person(pid, item["line"]) if pid else (
            None, [self.error(item["line"], "PERSONNE_ID", "identifiant de la personne manquant")])
        errors += person_errors
        if errors or values is None:
            for e in errors:
                self.fail(eleve_id, e)
            self.out.bad_students.add(eleve_id)
            return
        ranked = self.out.by_student.setdefault(eleve_id, [])
        twin = next((r for r in ranked if r.rank == int(rank)), None)
        if twin is not None:
            self.fail(eleve_id, self.error(rank_line, "RESP_LEGAL",
                                           f"deux représentants légaux n° {rank} pour l'élève {eleve_id} "
                                           f"(déjà ligne {twin.line}) : corrigez SIECLE"))
            return
        ranked.append(RepresentativeRow(item["line"], eleve_id, int(rank), relation=relation, **values))

    def fail(self, eleve_id: str, error: RowError) -> None:
        self.out.errors.append(error)
        self.out.bad_students.add(eleve_id)


def parse_responsables_xml(data: bytes, source: str = "") -> ResponsablesParsed:
    """``ResponsablesAvecAdresses.xml`` (bytes: its prolog declares ISO-8859-15): RESP_LEGAL 1 and 2."""
    parser = expat.ParserCreate()
    handler = _Handler(parser)
    try:
        run_expat(parser, handler, data)
    except ValidationFailed as exc:  # the XML's own errors: name the file, as its rows do
        raise ValidationFailed([FieldError(f"{source}, {e.path}" if source else e.path, e.message)
                                for e in exc.errors]) from None
    if not handler.links and not handler.personnes:
        raise ValidationFailed(FieldError(
            source or "BEE_RESPONSABLES",
            "ce n'est pas un export SIECLE des responsables : aucun élément "
            "BEE_RESPONSABLES/DONNEES/RESPONSABLES/RESPONSABLE_ELEVE",
        ))
    rows = _Rows(handler, source)
    for item in handler.links:
        rows.link(item)
    for ranked in rows.out.by_student.values():
        ranked.sort(key=lambda r: r.rank)
    rows.out.errors.sort(key=lambda e: e.line)
    for eleve_id in rows.out.bad_students:  # a learner with a bad row keeps what the store has
        rows.out.by_student.pop(eleve_id, None)
    return rows.out
