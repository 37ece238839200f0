"""The legal representatives in the import preview (issue 15 §1, SIECLE « ResponsablesAvecAdresses »).

Under each learner whose representatives the import sets, one row per representative with
what happens to them: ``+`` à ajouter, ``~`` à mettre à jour (which fields), ``=`` inchangé,
``-`` à retirer (SIECLE no longer lists them: `services.importing.merge_representatives`).
The marks say it without colour. A rejected row of a two-file import names its own file
(« élèves » or « responsables ») in the table, and its whole path and line below it.
"""

from __future__ import annotations

from ...domain.model import LegalRepresentative
from ...domain.rows.normalise import person_key
from ...domain.rows.records import RowError
from ...services.importing import Change, ImportReport

DETAILS = ("relation", "email", "phone", "address")
DETAIL_LABELS = {"relation": "lien", "email": "courriel", "phone": "téléphone", "address": "adresse"}


def _key(r: LegalRepresentative) -> tuple:
    return person_key(r.last_name, r.first_name)


def sets_representatives(change: Change) -> bool:
    """Whether this learner's change sets legal representatives (a creation with some, or an update of them)."""
    if change.kind != "students":
        return False
    if change.before is None:
        return bool(change.record.legal_representatives)
    return "legal_representatives" in change.fields


def representative_rows(change: Change) -> list[tuple[str, str, str, str, str]]:
    """(mark, colour, name, short detail, full detail) of each representative this change sets, then
    each one it drops."""
    if not sets_representatives(change):
        return []
    before = change.before.legal_representatives if change.before is not None else ()
    stored = {_key(r): r for r in before}
    out = []
    for rank, r in enumerate(change.record.legal_representatives, start=1):
        old = stored.pop(_key(r), None)
        relation = r.relation or "lien non précisé"
        if old is None:
            mark, colour, state = "+", "text-success", "à ajouter"
        elif old == r:
            mark, colour, state = "=", "text-muted", "inchangé"
        else:
            changed = [DETAIL_LABELS[f] for f in DETAILS if getattr(old, f) != getattr(r, f)]
            mark, colour, state = "~", "text-warning", "à mettre à jour : " + ", ".join(changed or ["nom"])
        full = " · ".join(x for x in (f"{r.first_name} {r.last_name} ({relation}), représentant légal {rank}",
                                      r.phone, r.email, r.address, state) if x)
        out.append((mark, colour, f"└ {r.first_name} {r.last_name}", f"{relation} · {state}", full))
    for r in stored.values():
        relation = r.relation or "lien non précisé"
        out.append(("-", "text-muted", f"└ {r.first_name} {r.last_name}", f"{relation} · à retirer",
                    f"{r.first_name} {r.last_name} ({relation}) · à retirer : SIECLE ne le liste plus comme "
                    "représentant légal"))
    return out


def learner_detail(change: Change) -> str:
    """An update's differences, before → after; the representatives only counted (their rows follow)."""
    parts = []
    for name, (label, old, new) in zip(change.fields, change.differences()):
        if name == "legal_representatives":
            old, new = len(change.before.legal_representatives), len(change.record.legal_representatives)
        parts.append(f"{label} : {old} → {new}")
    return "; ".join(parts)


def representatives_count(report: ImportReport) -> str:
    """« représentants légaux de 4 élèves : + 5 à ajouter » (with « ~ 1 à mettre à jour · - 1 à retirer »
    when some are); « représentants légaux : aucun changement » when none."""
    learners = [c for c in report.of(report.created) + report.of(report.updated) if sets_representatives(c)]
    marks = [row[0] for c in learners for row in representative_rows(c)]
    parts = [f"{mark} {marks.count(mark)} {what}" for mark, what in (("+", "à ajouter"), ("~", "à mettre à jour"),
                                                                       ("-", "à retirer")) if mark in marks]
    if not parts:
        return "représentants légaux : aucun changement"
    n = len(learners)
    return f"représentants légaux de {n} élève{'s' if n > 1 else ''} : " + " · ".join(parts)


def rejected_cells(error: RowError, report: ImportReport) -> tuple[str, str]:
    """(label, detail) of a bad row: « colonne « NE(E) LE » », the reason; when the import reads two
    files, which one (« élèves » or « responsables »), then « MEL : the reason »."""
    if not error.source:
        return (f"colonne « {error.column} »" if error.column else "ligne"), error.reason
    which = "élèves" if error.source == report.source else "responsables"
    return which, (f"{error.column} : {error.reason}" if error.column else error.reason)


def rejected_order(error: RowError, report: ImportReport) -> tuple:
    """The learners' file first, then the responsables', each by line."""
    return (bool(error.source) and error.source != report.source, error.line)
