"""Text helpers shared by search, matching and file names (pure)."""

from __future__ import annotations

import re
import unicodedata

# Ligatures NFKD does not decompose: « Œ » must still match « OE ».
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def ascii_text(text: str) -> str:
    """« Bœuf Chloé » → « Boeuf Chloe »: ligatures expanded, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form for searching and matching:
    « Cœur  d'Acier » → « coeur d'acier », so « Zoe » finds « Zoé »."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def slug(text: str, *, lower: bool = True, max_len: int | None = None, fallback: str = "") -> str:
    """ASCII letters and digits, every other run as one dash: « Tle AGOrA/Œ 1 » → « tle-agora-oe-1 »."""
    plain = ascii_text(text)
    if lower:
        plain = plain.lower()
    out = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")
    if max_len is not None:
        out = out[:max_len].strip("-")
    return out or fallback
