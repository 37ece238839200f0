"""Search as you type among host organisations and tutors (issue 15 §3).

Wherever a person chooses an organisation (the placement dialog, the placement form,
the tutor form), they can look for a tutor the same way: by name, by organisation, by
e-mail or phone. Each word typed must appear in the record's folded text (case, accents
and spacing ignored: « zoe dupont » finds « Zoé DUPONT »), in any order.

`finder(data)` builds the folded texts once per version of the lists (the TUI's state
keeps the same list objects until something changes), so each key typed costs one pass
over strings already folded, not a fold of the whole school.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.model import Dataset, Organisation, Tutor
from ..domain.text import fold


def _digits(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isdigit())


def _key(*parts: str | None) -> str:
    """Folded words, each preceded by a space: « Zoé DUPONT-Roux » → « zoe dupont roux » with a
    leading space, so a typed word matches the start of a word (« dup » finds Dupont, not « du »
    in the middle of another)."""
    return " " + " ".join(_WORD_SEPARATORS.sub(" ", fold(" ".join(p for p in parts if p))).split())


_WORD_SEPARATORS = re.compile(r"[^0-9a-z]+")


def organisation_text(o: Organisation) -> str:
    return _key(o.name, o.city, o.postcode, o.siret, o.email, o.phone, _digits(o.phone), o.representative)


def tutor_text(t: Tutor, org_name: str) -> str:
    return _key(t.first_name, t.last_name, t.email, t.phone, _digits(t.phone), org_name)


def _words(text: str) -> list[str]:
    return [" " + w for w in _key(text).split()]


def _matches(key: str, words: list[str]) -> bool:
    return all(w in key for w in words)


@dataclass(slots=True)
class Finder:
    """The organisations and tutors of one dataset, sorted as lists show them, with their search text."""

    organisations: list[tuple[Organisation, str]]
    tutors: list[tuple[Tutor, str, str]]  # (tutor, search text, their name's search text)
    org_names: dict[str, str]

    def find_organisations(self, text: str, *, exclude: frozenset[str] = frozenset(),
                           limit: int | None = None) -> list[Organisation]:
        words = _words(text)
        out = []
        for o, key in self.organisations:
            if o.id not in exclude and _matches(key, words):
                out.append(o)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def find_tutors(self, text: str, *, organisation_id: str | None = None,
                    limit: int | None = None) -> list[Tutor]:
        """Tutors matching `text` (name, e-mail, phone, organisation), of one organisation if given;
        those whose own name matches every word come first."""
        words = _words(text)
        by_name, by_other = [], []
        for t, key, name_key in self.tutors:
            if (organisation_id is None or t.organisation_id == organisation_id) and _matches(key, words):
                (by_name if _matches(name_key, words) else by_other).append(t)
                if limit is not None and len(by_name) >= limit:
                    break
        out = by_name + by_other
        return out if limit is None else out[:limit]

    def organisation_name(self, organisation_id: str) -> str:
        return self.org_names.get(organisation_id, organisation_id)


_last: tuple[object, object, Finder] | None = None


def finder(data: Dataset) -> Finder:
    """The Finder of `data`'s organisations and tutors (rebuilt only when either list changed)."""
    global _last
    if _last is not None and _last[0] is data.organisations and _last[1] is data.tutors:
        return _last[2]
    names = {o.id: o.name for o in data.organisations}
    orgs = sorted(((o, organisation_text(o)) for o in data.organisations), key=lambda pair: fold(pair[0].name))
    tutors = sorted(((t, tutor_text(t, names.get(t.organisation_id, "")), _key(t.first_name, t.last_name))
                     for t in data.tutors),
                    key=lambda pair: (fold(pair[0].last_name), fold(pair[0].first_name), pair[0].id))
    found = Finder(orgs, tutors, names)
    _last = (data.organisations, data.tutors, found)
    return found
