"""What a JSON document may hold before its records are even looked at (issue 10).

`json.loads` accepts things that later escape as unexpected errors or that the store
cannot write: integers of thousands of digits, objects with a key given twice (the
last one silently wins), strings holding lone surrogates (``"\\ud800"``: not UTF-8),
nesting far deeper than any interchange document. `loads_guarded` parses with hooks
that mark those, and `check_tree` names each one by its JSON path
(``students[3].last_name``), so that they are refused as bad input (exit 2).
"""

from __future__ import annotations

import json
from typing import Any

from .errors import FieldError, ValidationFailed

MAX_DEPTH = 32  # an interchange document nests 4 levels (document, list, record, attestation)
MAX_INT_DIGITS = 30
MAX_ERRORS = 20
EXCERPT = 40


class HugeNumber:
    """An integer literal too long to be a value of ours (kept as its digit count only)."""

    __slots__ = ("digits",)

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self) -> str:
        return f"<nombre de {self.digits} chiffres>"


class DuplicateKeys(dict):
    """A JSON object in which some key appears more than once."""

    duplicates: list[str]


def _parse_int(text: str) -> int | HugeNumber:
    digits = len(text.lstrip("-"))
    return HugeNumber(digits) if digits > MAX_INT_DIGITS else int(text)


def _object(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = DuplicateKeys(result)
    seen: set[str] = set()
    marked.duplicates = []
    for key, _ in pairs:
        if key in seen and key not in marked.duplicates:
            marked.duplicates.append(key)
        seen.add(key)
    return marked


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A short, printable quote of `text` (long keys and values are never echoed whole)."""
    shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
    shown = "".join(c if c.isprintable() else "�" for c in shown[: limit + 1])
    return shown if len(shown) <= limit and len(text) <= limit else shown[: limit - 1] + "…"


def loads_guarded(text: str | bytes) -> Any:
    """`json.loads` whose result `check_tree` can judge (huge integers, duplicate keys marked)."""
    return json.loads(text, parse_int=_parse_int, object_pairs_hook=_object)


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _join(path: str, key: str) -> str:
    key = excerpt(key)
    return f"{path}.{key}" if path else key


def check_tree(value: Any, source: str = "") -> None:
    """Raise ValidationFailed naming each path that holds what no record may hold."""
    errors: list[FieldError] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack and len(errors) < MAX_ERRORS:
        node, path, depth = stack.pop()
        where = path or source or "document"
        if isinstance(node, HugeNumber):
            errors.append(FieldError(where, f"nombre trop long ({node.digits} chiffres)"))
        elif isinstance(node, str):
            if not _valid_text(node):
                errors.append(FieldError(where, "texte invalide : caractère isolé de substitution (ni UTF-8 ni Unicode)"))
        elif isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                errors.append(FieldError(where, f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"))
                continue
            if isinstance(node, dict):
                for key in getattr(node, "duplicates", ()):
                    errors.append(FieldError(_join(path, key), "clé en double dans le même objet"))
                items = [(_join(path, k) if _valid_text(k) else _join(path, repr(k)), k, v) for k, v in node.items()]
                for key_path, key, child in reversed(items):
                    if not _valid_text(key):
                        errors.append(FieldError(key_path, "clé invalide : caractère isolé de substitution"))
                    stack.append((child, key_path, depth + 1))
            else:
                for i in range(len(node) - 1, -1, -1):
                    stack.append((node[i], f"{path}[{i}]" if path else f"[{i}]", depth + 1))
    if errors:
        raise ValidationFailed(errors)
