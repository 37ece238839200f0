"""RGPD duties (issue 16): retention (`pfmp purge`) and the right of access (`pfmp subject-access`).

Purge: the learners of cohorts whose exam session is older than the retention
limit are either anonymised (default: what statistics need stays — cohort, voie,
placements with their organisation, dates and days, competence levels — and what
names or describes the person goes: name, INE, birth date, e-mail, comments,
general appreciations, the derogation's reason, work certificates and contracts)
or removed with every record about them (`remove=True`). Their PDF papers under
exports/ are deleted. One commit: the data, and the journal rewritten so that its
old entries about them keep what happened (record, verb, author, date) but no
longer any value; the purge's own entry names records, never their content.

Subject access: everything held on one learner — the records, the organisations
and tutors of their placements, the journal's entries about them — as JSON and as
a readable PDF.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from ..domain.errors import FieldError, ValidationFailed
from ..domain.interchange import record_to_dict
from ..domain.model import Derogation
from ..domain.text import slug
from ..store import audit
from ..store.repository import Repository
from ..store.reverting import apply
from . import access
from .files import unique_path, write_private
from .journal import Filters, _parse, describe, entry_head

ANONYMOUS = "ANONYME"
RETENTION_SESSIONS = 2  # README « Données personnelles »: the re-sit session, then one more


def default_limit(today: date | None = None) -> int:
    """Sessions before this year are purged by default (two sessions kept after the current year's)."""
    return (today or date.today()).year - RETENTION_SESSIONS


@dataclass
class PurgeReport:
    sessions_before: int
    remove: bool
    cohorts: list[str] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, "supprimé"|"anonymisé") -> records
    papers: list[Path] = field(default_factory=list)
    journal_entries: int = 0  # old entries whose values were erased

    def lines(self, dry_run: bool) -> list[str]:
        from ..store.repository import KIND_PLURALS

        verb = "seraient" if dry_run else "ont été"
        if not self.cohorts:
            return [f"Aucune cohorte de session antérieure à {self.sessions_before} : rien à purger."]
        out = [f"Cohortes de session antérieure à {self.sessions_before} : {', '.join(self.cohorts)}."]
        for (kind, what), n in self.counts.items():
            out.append(f"  {KIND_PLURALS.get(kind, kind)} : {n} {what}(s)")
        out.append(f"  {len(self.papers)} document(s) PDF {verb} effacé(s) ; "
                   f"{self.journal_entries} entrée(s) du journal {verb} expurgée(s) de leurs valeurs")
        if dry_run:
            out.append("Simulation (--dry-run) : rien n'a été modifié.")
        return out


def _paper_files(exports_dir: Path, students: list[Any], keep_names: set[str]) -> list[Path]:
    """PDF papers of these learners (named as services/papers.py names them)."""
    if not exports_dir.is_dir():
        return []
    stems = set()
    for s in students:
        name = slug(f"{s.last_name.upper()} {s.first_name}", lower=False, max_len=40)
        if name and name not in keep_names:
            stems.update({f"attestation_{name}", f"liaison_{name}"})
    found = []
    for entry in os.scandir(exports_dir):
        if not entry.name.endswith(".pdf"):
            continue
        stem = entry.name[:-4]
        if any(stem == s or re.match(re.escape(s) + r"[-_]", stem) for s in stems):
            found.append(Path(entry.path))
    return sorted(found)


def _scrub(journal: bytes, records: set[tuple[str, str]], students: set[str]) -> tuple[bytes, int]:
    out, touched = [], 0
    for entry in _parse(journal):
        hit = False
        for change in entry.get("changes", []):
            if (change["kind"], change["id"]) in records or change.get("student") in students:
                for key in ("before", "after", "fields"):
                    change.pop(key, None)
                change["redacted"] = True
                hit = True
        touched += hit
        out.append(orjson.dumps(entry) + b"\n")
    return b"".join(out), touched


def purge(repo: Repository, sessions_before: int, *, remove: bool = False, dry_run: bool = False,
          exports_dir: Path = Path("exports")) -> PurgeReport:
    access.require(repo, "purge")
    if not 1990 <= sessions_before <= 2200:
        raise ValidationFailed(FieldError("--sessions-before", f"année invalide « {sessions_before} »"))
    report = PurgeReport(sessions_before, remove)
    mode = "suppression" if remove else "anonymisation"
    try:
        _purge(repo, report, sessions_before, remove, dry_run, mode, Path(exports_dir))
    except _DryRun:  # the transaction ends without committing
        return report
    for path in report.papers:  # after the commit: a paper is regenerated from the store, never the reverse
        path.unlink(missing_ok=True)
    return report


def _purge(repo: Repository, report: PurgeReport, sessions_before: int, remove: bool, dry_run: bool, mode: str,
           exports_dir: Path) -> None:
    with audit.acting(audit.context().via, note=f"purge RGPD des sessions antérieures à {sessions_before} ({mode})",
                      redact=True), repo._writing() as tx:
        snap = repo._snapshot(tx)
        data = snap.data
        cohorts = sorted(c.id for c in data.cohorts if c.exam_session < sessions_before)
        report.cohorts = cohorts
        gone = [s for s in data.students if s.cohort_id in set(cohorts)]
        ids = {s.id for s in gone}
        placements = [p for p in data.placements if p.student_id in ids]
        pids = {p.id for p in placements}
        puts: list[tuple[str, Any]] = []
        removes: list[tuple[str, str]] = []
        for kind in ("work_certificates", "contracts"):
            removes += [(kind, r.id) for r in getattr(data, kind) if r.student_id in ids]
        removes += [("appreciations", n.id) for n in data.appreciations if n.placement_id in pids]
        assessments = [a for a in data.assessments if a.placement_id in pids]
        if remove:
            removes += [("assessments", a.id) for a in assessments]
            removes += [("placements", p.id) for p in placements]
            removes += [("students", s.id) for s in gone]
        else:
            for n, s in enumerate(sorted(gone, key=lambda s: s.id), 1):
                der = None if s.derogation is None else Derogation(s.derogation.required_days, "motif effacé (RGPD)")
                puts.append(("students", replace(s, last_name=ANONYMOUS, first_name=f"Élève {n}", ine=None,
                                                 birth_date=None, email=None, derogation=der)))
            for p in placements:
                att = None if p.attestation is None else replace(p.attestation, activities="")
                puts.append(("placements", replace(p, teacher=None, attestation=att)))
            puts += [("assessments", replace(a, comment=None)) for a in assessments if a.comment]
        for kind, what in [(k, "supprimé") for k, _ in removes] + [(k, "anonymisé") for k, _ in puts]:
            report.counts[(kind, what)] = report.counts.get((kind, what), 0) + 1
        keep_names = {slug(f"{s.last_name.upper()} {s.first_name}", lower=False, max_len=40)
                      for s in data.students if s.id not in ids}
        report.papers = _paper_files(exports_dir, gone, keep_names)
        touched = {(k, r) for k, r in removes} | {(k, r.id) for k, r in puts}
        scrubbed, report.journal_entries = _scrub(repo.store.read_journal(tx), touched, ids)
        if dry_run or not gone:
            raise _DryRun
        tx.journal_rewrite = scrubbed
        apply(repo, tx, snap, puts, removes, "purge impossible")


class _DryRun(Exception):
    """A dry run (or nothing to purge): leave the transaction without committing."""


# -- right of access ---------------------------------------------------------------------------------
def subject_access(repo: Repository, student_id: str) -> dict:
    access.require(repo, "subject-access")
    from .journal import entries

    snap = repo.snapshot()
    data = snap.data
    student = snap.get("students", student_id)
    if student is None:
        raise ValidationFailed(FieldError("ÉLÈVE", f"élève « {student_id} » introuvable"))
    placements = sorted((p for p in data.placements if p.student_id == student_id), key=lambda p: p.start)
    pids = {p.id for p in placements}
    orgs = {p.organisation_id for p in placements}
    tutors = {p.tutor_id for p in placements if p.tutor_id}
    cohort = snap.get("cohorts", student.cohort_id)
    filters = Filters(student=student_id)
    return {
        "format": "pfmp-subject-access",
        "version": 1,
        "generated_on": date.today().isoformat(),
        "student": record_to_dict("students", student),
        "cohort": None if cohort is None else record_to_dict("cohorts", cohort),
        "placements": [record_to_dict("placements", p) for p in placements],
        "organisations": [record_to_dict("organisations", o) for o in data.organisations if o.id in orgs],
        "tutors": [record_to_dict("tutors", t) for t in data.tutors if t.id in tutors],
        "assessments": [record_to_dict("assessments", a) for a in sorted(data.assessments, key=lambda a: a.id)
                        if a.placement_id in pids],
        "appreciations": [record_to_dict("appreciations", n) for n in data.appreciations if n.placement_id in pids],
        "work_certificates": [record_to_dict("work_certificates", c) for c in data.work_certificates
                              if c.student_id == student_id],
        "contracts": [record_to_dict("contracts", c) for c in data.contracts if c.student_id == student_id],
        "journal": [filters.narrow(e) for e in entries(repo) if filters.match(e)],
    }


def _pdf(doc: dict, out: Path) -> Path:
    from .papers import FAMILY, _new_pdf, _section, _write

    s = doc["student"]
    pdf = _new_pdf("Droit d'accès (RGPD)", "")
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, f"Données détenues sur {s['first_name']} {s['last_name']}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.multi_cell(0, 5, f"Extraction du {doc['generated_on']} par l'application pfmp (suivi des PFMP). "
                         "Elle contient tout ce que le magasin conserve sur cet élève, et l'historique de ses modifications.",
                   new_x="LMARGIN", new_y="NEXT")

    def block(title: str, records: list[dict]) -> None:
        _section(pdf, f"{title} ({len(records)})")
        pdf.set_font(FAMILY, "", 8.5)
        for r in records:
            text = " · ".join(f"{k} : {_plain(v)}" for k, v in r.items())
            pdf.multi_cell(0, 4.6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)

    block("Élève", [doc["student"]])
    if doc["cohort"]:
        block("Cohorte", [doc["cohort"]])
    for key, title in (("placements", "Stages (PFMP)"), ("organisations", "Organisations d'accueil"),
                       ("tutors", "Tuteurs"), ("assessments", "Évaluations"),
                       ("appreciations", "Appréciations générales"), ("work_certificates", "Certificats de travail"),
                       ("contracts", "Contrats d'apprentissage")):
        block(title, doc[key])
    _section(pdf, f"Journal des modifications ({len(doc['journal'])})")
    pdf.set_font(FAMILY, "", 8.5)
    for entry in doc["journal"]:
        lines = [entry_head(entry)] + ["  " + line for c in entry["changes"] for line in describe(c)]
        pdf.multi_cell(0, 4.6, "\n".join(lines), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return _write(pdf, out)


def _plain(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_plain(x)}" for k, x in v.items())
    return str(v)


def write_subject_access(repo: Repository, student_id: str, output: str | None,
                         exports_dir: Path = Path("exports")) -> tuple[Path, Path]:
    """The JSON file and the PDF beside it (same name, .pdf)."""
    doc = subject_access(repo, student_id)
    s = doc["student"]
    if output:
        json_path = Path(output)
        if json_path.suffix.lower() != ".json":
            json_path = json_path.with_name(json_path.name + ".json")
    else:
        stem = f"acces-rgpd_{slug(s['last_name'].upper() + ' ' + s['first_name'], lower=False, max_len=40) or s['id']}"
        json_path = unique_path(Path(exports_dir), stem, ".json")
    write_private(json_path, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    pdf_path = json_path.with_suffix(".pdf")
    _pdf(doc, pdf_path)
    return json_path, pdf_path
