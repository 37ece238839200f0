"""The TUI's side of issue 15: conventions written from the school's model in a worker,
and the short texts the file, the periods and the placing screens show (signature
progress, visits, reminders sent). Screens call these; they reach services only."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from textual.app import App
from textual.markup import escape

from ..domain.convention import (MINOR_MAX_DAILY_HOURS, MINOR_MAX_WEEKLY_HOURS, age_on, is_minor,
                                  signature_progress)
from ..domain.errors import ValidationFailed
from ..domain.model import REMINDER_DOCUMENT_LABELS, VISIT_KIND_LABELS, Dataset, Placement, Student
from ..domain.validation import format_date_fr
from ..services.errors import StoreError

PROGRESS_EVERY = 0.25  # s between two progress texts (each one is a trip to the UI thread)


def write_conventions(app: App, *, placement_id: str | None = None, period_id: str | None = None,
                      on_progress: Callable[[str], None] | None = None) -> bool:
    """Fill the school's model (settings beside the store) for one placement or a whole
    period, in a worker thread; then say where (or why not) in a notification.

    `on_progress(text)` runs on the UI thread (« Conventions : 120/434 remplies… », then ""
    when done), a few times a second at most. False when a previous one is still running."""
    from ..services.conventions import generate
    from ..services.settings import load_settings

    if any(w.group == "convention" and not w.is_finished for w in app.workers):
        app.notify("Des conventions sont déjà en cours d'écriture : attendez la fin.", severity="warning")
        return False
    exports_dir = app.exports_dir
    repo = app.repo
    today = app.today  # the app's day (« générée le »), as every date it shows
    title = "Convention" if placement_id else "Conventions de la période"
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if on_progress is not None and (now - last[0] >= PROGRESS_EVERY or done == total):
            last[0] = now
            text = (f"Conventions : {done}/{total} remplies…" if done < total
                    else f"Conventions : {total}/{total} remplies, écriture des fichiers…")
            app.call_from_thread(on_progress, text)

    def job() -> None:
        try:
            done = generate(repo, load_settings(repo.store.path), placement_id=placement_id, period_id=period_id,
                            out_dir=exports_dir, today=today, on_progress=progress)
        except ValidationFailed as exc:
            message = "\n".join(str(e) for e in exc.errors[:6])
        except (StoreError, OSError, ValueError) as exc:
            message = str(exc)
        else:
            warnings = [w for g in done for w in g.warnings]
            where = done[0].path.resolve() if len(done) == 1 else done[0].path.resolve().parent
            text = f"{len(done)} convention(s) écrite(s) : {where}" + (f"\n! {warnings[0]}" if warnings else "")
            app.call_from_thread(_finished, text, "warning" if warnings else "information", title)
            return
        app.call_from_thread(_finished, message, "error", f"{title} : impossible")

    def _finished(text: str, severity: str, heading: str) -> None:
        if on_progress is not None:
            on_progress("")
        app.notify(text, title=heading, timeout=15, severity=severity)
        if severity != "error":
            app.reload()  # « générées n/N » on the screens, without waiting for the poll

    app.notify("Écriture des conventions…", title=title, timeout=2)
    app.run_worker(job, thread=True, group="convention", exit_on_error=False, name="convention",
                   description="write conventions")
    return True


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


def terms_subtitle(student: Student, p: Placement) -> str:
    """Who and when, and for a minor what the Code du travail allows (the terms form's subtitle)."""
    text = f"{student.full_name} · {format_date_fr(p.start)} → {format_date_fr(p.end)}"
    if is_minor(student, p.start):
        text += (f" · mineur(e) ({age_on(student.birth_date, p.start)} ans) : {MINOR_MAX_DAILY_HOURS} h par jour, "
                 f"{MINOR_MAX_WEEKLY_HOURS} h par semaine au plus, pas de nuit")
    return text + " · compétences : espace coche"
