"""SIECLE ``ExportXML_ElevesSansAdresses.xml`` parsed with expat (every error names its line).

``BEE_ELEVES/DONNEES/ELEVES/ELEVE`` (attribute ELEVE_ID; ``ID_NATIONAL`` = INE,
``NOM_DE_FAMILLE``, ``PRENOM``, ``DATE_NAISS`` JJ/MM/AAAA, ``DATE_SORTIE`` when the
learner left, ``CODE_MEF``) and ``BEE_ELEVES/DONNEES/STRUCTURES/STRUCTURES_ELEVE``
(same ELEVE_ID; ``STRUCTURE`` with ``CODE_STRUCTURE`` and ``TYPE_STRUCTURE`` « D » for
the division). ``ExportXML_ElevesAvecAdresses.xml`` is the same with an ``ADRESSES`` part,
which is not read: each row keeps its ELEVE_ID (``StudentRow.siecle_id``), the key of the
responsables' export (`siecle_responsables`). A DOCTYPE (never in a SIECLE export, and the way to an entity bomb) is
refused.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from xml.parsers import expat
from xml.parsers.expat import errors as expat_errors

from ..errors import FieldError, ValidationFailed
from .records import Parsed, RowError, Skipped
from .students import check_student, refuse_duplicates, skip_reason


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


# Bounds (issue 10): a SIECLE export nests 6 levels and has ~60 elements a learner; a
# file far outside them is refused at once rather than parsed for minutes.
MAX_DEPTH = 24
MAX_ELEMENTS = 2_000_000
MAX_LEARNERS = 50_000
MAX_SECONDS = 30.0


def _too_much(line: int, why: str) -> ValidationFailed:
    return ValidationFailed(FieldError(f"ligne {line}", f"fichier refusé : {why} (ce n'est pas un export SIECLE)"))


class BoundedHandler:
    """What every SIECLE export's expat callbacks share: the path of open elements, the
    text of the current one, and the bounds checked on each start tag (issue 10)."""

    def __init__(self, parser: expat.XMLParserType):
        self.parser = parser
        self.stack: list[str] = []
        self.text: list[str] = []
        self.elements = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def enter(self, name: str) -> str:
        """Bounds, then `name` opened; returns the path of open elements (« A/B/C »)."""
        self.elements += 1
        line = self.parser.CurrentLineNumber
        if len(self.stack) >= MAX_DEPTH:
            raise _too_much(line, f"éléments imbriqués sur plus de {MAX_DEPTH} niveaux")
        if self.elements > MAX_ELEMENTS:
            raise _too_much(line, f"plus de {MAX_ELEMENTS:,} éléments".replace(",", " "))
        if self.elements % 4096 == 0 and time.monotonic() > self.deadline:
            raise _too_much(line, f"lecture plus longue que {MAX_SECONDS:g} s")
        self.stack.append(name)
        self.text = []
        return "/".join(self.stack)

    def leave(self) -> None:
        self.stack.pop()
        self.text = []

    def chars(self, data: str) -> None:
        self.text.append(data)

    def refuse_dtd(self, *args: object) -> None:
        raise ValidationFailed(FieldError(
            f"ligne {self.parser.CurrentLineNumber}",
            "déclaration DOCTYPE ou ENTITY refusée : un export SIECLE n'en contient pas",
        ))


class _SiecleHandler(BoundedHandler):
    """Expat callbacks collecting ELEVE and STRUCTURES_ELEVE, with the line of each field."""

    def __init__(self, parser: expat.XMLParserType):
        super().__init__(parser)
        self.eleves: list[dict] = []  # {"id", "line", "fields": {tag: (text, line)}}
        self.structures: dict[str, list[tuple[str, str]]] = {}  # ELEVE_ID -> [(code, type)]
        self._eleve: dict | None = None
        self._structures_of: str | None = None
        self._structure: dict[str, str] = {}
        self._field_line = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        path = self.enter(name)
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
                if len(self.eleves) > MAX_LEARNERS:
                    raise _too_much(self.parser.CurrentLineNumber, f"plus de {MAX_LEARNERS} élèves")
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
        self.leave()


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
    run_expat(parser, handler, data)
    if not handler.eleves and not handler.structures:
        raise ValidationFailed(FieldError(
            "BEE_ELEVES",
            "ce n'est pas un export SIECLE des élèves : aucun élément BEE_ELEVES/DONNEES/ELEVES/ELEVE",
        ))
    return _rows(handler, division)


def run_expat(parser: expat.XMLParserType, handler: BoundedHandler, data: bytes) -> None:
    """Parse `data` with `handler`'s start/end/chars; every XML error in French with its line."""
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    parser.StartDoctypeDeclHandler = handler.refuse_dtd
    parser.EntityDeclHandler = handler.refuse_dtd
    parser.ExternalEntityRefHandler = handler.refuse_dtd
    try:
        parser.Parse(data, True)
    except LookupError:  # a declared encoding Python does not know (« EBCDIC-XYZ »)
        declared = re.search(rb"""encoding\s*=\s*["']([^"']{0,40})""", data[:200])
        name = declared.group(1).decode("ascii", "replace") if declared else "?"
        raise ValidationFailed(FieldError(
            "ligne 1", f"XML invalide : encodage inconnu « {name} » (un export SIECLE est en ISO-8859-15 ou UTF-8)"
        )) from None
    except RecursionError:
        raise _too_much(1, "éléments imbriqués trop profondément") from None
    except expat.ExpatError as exc:
        raise ValidationFailed(FieldError(
            f"ligne {exc.lineno}",
            f"XML invalide : {_EXPAT_FRENCH.get(expat.ErrorString(exc.code), 'document mal formé')} "
            f"(colonne {exc.offset + 1})",
        )) from None


def _rows(handler: _SiecleHandler, division: str | None) -> Parsed:
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
        why = skip_reason(div, division, values["left_on"])
        if why:
            parsed.skipped.append(Skipped(line, label, why))
            continue
        errors: list[RowError] = []
        row = check_student(line, values, columns, div, errors)
        if row is not None and eleve["id"]:
            row = replace(row, siecle_id=eleve["id"])  # links the responsables' export (ELEVE_ID)
        # Point each error at the line of its own element when the element is there.
        for e in errors:
            tag = e.column
            parsed.errors.append(RowError(fields[tag][1], tag, e.reason) if tag in fields else e)
        if row is not None:
            parsed.rows.append(row)
    refuse_duplicates(parsed)
    return parsed

