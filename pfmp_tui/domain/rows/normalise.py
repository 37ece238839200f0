"""Header words, cell spacing and the key of a person, as every imported file needs them."""

from __future__ import annotations

import re

from ..text import fold


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

