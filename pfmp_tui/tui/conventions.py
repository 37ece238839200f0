"""The TUI's side of issue 15: conventions written from the school's model in a worker,
and the short texts the file, the periods and the placing screens show (signature
progress, visits, reminders sent). Screens call these; they reach services only."""

from __future__ import annotations

from datetime import date

from textual.app import App
from textual.markup import escape

from ..domain.convention import signature_progress
from ..domain.errors import ValidationFailed
from ..domain.model import REMINDER_DOCUMENT_LABELS, VISIT_KIND_LABELS, Dataset, Placement
from ..domain.validation import format_date_fr
from ..services.errors import StoreError


def write_conventions(app: App, *, placement_id: str | None = None, period_id: str | None = None) -> None:
    """Fill the school's model (settings beside the store) for one placement or a whole
    period, in a worker thread; then say where (or why not) in a notification."""
    from ..services.conventions import generate
    from ..services.settings import load_settings

    exports_dir = app.exports_dir
    repo = app.repo
    title = "Convention" if placement_id else "Conventions de la période"

    def job() -> None:
        try:
            done = generate(repo, load_settings(repo.store.path), placement_id=placement_id, period_id=period_id,
                            out_dir=exports_dir)
        except ValidationFailed as exc:
            message = "\n".join(str(e) for e in exc.errors[:6])
        except (StoreError, OSError, ValueError) as exc:
            message = str(exc)
        else:
            warnings = [w for g in done for w in g.warnings]
            where = done[0].path.resolve() if len(done) == 1 else done[0].path.resolve().parent
            text = f"{len(done)} convention(s) écrite(s) : {where}" + (f"\n! {warnings[0]}" if warnings else "")
            app.call_from_thread(app.notify, text, title=title, timeout=15,
                                 severity="warning" if warnings else "information")
            return
        app.call_from_thread(app.notify, message, title=f"{title} : impossible", severity="error", timeout=15)

    app.notify("Écriture des conventions…", title=title, timeout=2)
    app.run_worker(job, thread=True, group="convention", exit_on_error=False, name="convention")


def signature_line(data: Dataset, period_id: str, today: date) -> str:
    """« Conventions : générées 11/24 · envoyées 9/24 · signées 5/24 · ! 3 débutent sous 15 j sans signature (R10) »."""
    pr = signature_progress(data, period_id, today)
    if not pr.placements:
        return ""
    n = pr.placements
    line = f"Conventions : générées {pr.generated}/{n} · envoyées {pr.sent}/{n} · signées {pr.signed}/{n}"
    urgent = len(pr.unsigned_soon) + len(pr.unsigned_started)
    if urgent:
        line += f" · [$text-warning]! {urgent} non signée(s), début sous 15 j ou commencé (R10)[/]"
    return line


def follow_up_lines(p: Placement) -> list[str]:
    """The visits and the last reminders of a placement, for its detail in the file."""
    lines = []
    if p.visits:
        parts = []
        for v in p.visits:
            when = f"faite le {format_date_fr(v.done_on)}" if v.done_on else f"prévue le {format_date_fr(v.planned_on)}"
            parts.append(f"{VISIT_KIND_LABELS[v.kind]} {when}" + (f" ({escape(v.teacher)})" if v.teacher else ""))
        lines.append("Visites : " + " · ".join(parts) + " [dim]· v : visites[/]")
        reports = [v.report for v in p.visits if v.report]
        if reports:
            lines.append(f"  compte rendu : {escape(reports[-1])}")
    else:
        lines.append("Visites : aucune [dim]· v : planifier une visite[/]")
    if p.reminders:
        last = sorted(p.reminders, key=lambda r: r.sent_at, reverse=True)
        shown = [f"{format_date_fr(r.sent_on)} {REMINDER_DOCUMENT_LABELS[r.document].split(' (')[0]} → {escape(r.to)}"
                 for r in last[:2]]
        more = f" (+{len(last) - 2})" if len(last) > 2 else ""
        lines.append("Rappels : " + " · ".join(shown) + more)
    return lines
