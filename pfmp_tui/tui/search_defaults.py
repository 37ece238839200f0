"""What was typed in a list's search, carried into the form of the record it did not find."""

from __future__ import annotations


def search_defaults(kind: str, search: str) -> dict[str, str]:
    """What was typed in the search, carried into the new record's form: it was looking for it.

    « Mairie de Caen » → Nom; « Anne Petit » → Prénom Anne, Nom Petit (tutors: « Prénom Nom »,
    one word → Nom); a cohort's label."""
    text = " ".join(search.split())
    if not text:
        return {}
    if kind == "organisations":
        return {"name": text}
    if kind == "cohorts":
        return {"label": text}
    if kind in ("tutors", "students"):
        words = text.split(" ")
        if len(words) == 1:
            return {"last_name": text}
        return {"first_name": words[0], "last_name": " ".join(words[1:])}
    return {}
