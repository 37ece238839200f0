"""Merge a refused save field by field (issue 12): nothing typed is lost, nothing of theirs either.

A save is refused when another session saved the record since the form opened. With the
three versions of the form's values — `base` (as the form opened), `mine` (as typed),
`theirs` (as now stored) — each field is one of:
- changed by nobody, or by both to the same value: nothing to decide;
- changed by me only: mine is kept;
- changed by them only: theirs is taken (the form says which);
- changed by both, differently: a clash, the person picks per field.
The merged values are then saved on top of *their* revision, so the next save succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .editing import FORMS


def _norm(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def same(a: Any, b: Any) -> bool:
    return _norm(a) == _norm(b)


@dataclass(frozen=True, slots=True)
class Merge:
    values: dict[str, Any]  # mine where I changed a field (clashes included), theirs elsewhere
    theirs_taken: tuple[str, ...]  # fields only the other session changed (their value is in `values`)
    mine_kept: tuple[str, ...]  # fields only I changed
    clashes: tuple[str, ...]  # fields both changed, differently

    def with_choices(self, theirs: Mapping[str, Any], choices: Mapping[str, str]) -> dict[str, Any]:
        """`values` with theirs on the clashes where the person chose « theirs »."""
        out = dict(self.values)
        for key in self.clashes:
            if choices.get(key) == "theirs":
                out[key] = theirs.get(key)
        return out


def merge_values(form: str, base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> Merge:
    values: dict[str, Any] = {}
    taken, kept, clashes = [], [], []
    for f in FORMS[form].fields:
        b, m, t = base.get(f.key), mine.get(f.key), theirs.get(f.key)
        i_changed, they_changed = not same(m, b), not same(t, b)
        if i_changed and they_changed and not same(m, t):
            clashes.append(f.key)
            values[f.key] = m
        elif i_changed:
            kept.append(f.key)
            values[f.key] = m
        else:
            if they_changed:
                taken.append(f.key)
            values[f.key] = t
    return Merge(values, tuple(taken), tuple(kept), tuple(clashes))


def labels(form: str, keys: tuple[str, ...] | list[str]) -> str:
    """« Prénom, Courriel » for field keys."""
    spec = FORMS[form]
    return ", ".join(spec.field(k).label for k in keys)
