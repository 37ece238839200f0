"""The dashboard's « Conventions et visites » panel (issue 15 §1, §3).

Where the conventions of the current and coming periods stand (R10): generated, sent,
signed, and signed by each party; how many PFMP start within 15 days (or have
started) without a signed convention; how many placements past their middle have had
no visit. Each count that names placements is a focusable line: entrée opens the list
of exactly those placements (`targets.PlacementList`). Every state is said in words
(« ! », « ✓ »), never by colour alone.

Cheap at any school size (`services.signatures.OverviewCache`): after one edit, only the
learners whose placements changed are read again (an identity check for the others),
the signature counts are made for the few periods shown only, and nothing is done
again while the placements and the day are the same objects.
"""

from __future__ import annotations

import threading

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.markup import escape
from textual.widgets import Static

from ...domain.validation import format_date_fr
from ...domain.wording import count
from ...services.signatures import OverviewCache, PeriodSignatures, SignatureOverview
from .. import keys
from ..state import AppState, cohort_short
from ..targets import PlacementList, Target, go
from .figure import markup

# One for the app: the dashboard rebuilds its widgets when the cohorts change, the learners'
# readings stay (a learner whose placements are the same list is not read again).
_CACHE = OverviewCache()
# The app's load worker prepares the next state's overview (`prepare`) while the UI thread
# may show the current one: one `compute` at a time on `_CACHE`.
_LOCK = threading.Lock()
_PREPARED: tuple | None = None  # (state, limit, (overview, late placements)) made by `prepare`

PARTY_SHORT = (("school", "établ."), ("organisation", "accueil"), ("student", "élève"),
               ("legal_representative", "resp. légal"))


class Shortcut(Static, can_focus=True):
    """A focusable line of the panel: entrée (or a click) opens what it counts."""

    BINDINGS = keys.bindings("figure")

    def __init__(self, content: Content, target: Target, *, id: str | None = None) -> None:
        super().__init__(content, id=id)
        self.target = target

    def action_open(self) -> None:
        go(self.app, self.target)

    def on_click(self) -> None:
        self.focus()
        self.action_open()


def r10_line(ov: SignatureOverview) -> Content:
    """« ! 3 PFMP commencent dans 15 jours sans convention signée (R10) », and those already
    started without one (worse: R10 is already missed)."""
    soon, started = len(ov.unsigned_soon), len(ov.unsigned_started)
    if not soon and not started:
        return markup("[$text-success]✓[/] Aucune PFMP ne commence dans 15 jours sans convention "
                                   "signée (R10)")
    if not soon:
        return markup(f"[$text-error]✗[/] [b]{count(started, 'PFMP commencée', 'PFMP commencées')}[/] "
                                   "sans convention signée (R10) · aucune dans 15 j")
    text = f"[$text-warning]![/] [b]{count(soon, 'PFMP commence', 'PFMP commencent')}[/] dans 15 " \
           + ("j" if started else "jours") + " sans convention signée (R10)"
    if started:
        text += f" · [$text-error]✗ {count(started, 'commencée', 'commencées')}[/]"
    return markup(text)


def visits_line(n: int) -> Content:
    if not n:
        return markup("[$text-success]✓[/] Chaque stage passé la mi-parcours a eu sa visite")
    return markup(f"[$text-warning]![/] [b]{count(n, 'stage')} en cours sans visite[/] passé la "
                               "mi-parcours")


def period_lines(state: AppState, row: PeriodSignatures) -> Content:
    """Three lines: the period, its counts, who signed (the legal representative over the
    minors only)."""
    pr, period = row.progress, row.period
    n = pr.placements
    cohort = cohort_short(state.get("cohorts", period.cohort_id), period.cohort_id)
    when = (f"en cours, fin le {format_date_fr(period.end)[:5]}" if period.start <= state.today
            else f"début le {format_date_fr(period.start)[:5]}")
    mark = "[$text-success]✓[/]" if pr.signed == n else ("[$text-warning]![/]" if row.urgent else "·")
    parties = []
    for party, short in PARTY_SHORT:
        signed, of = pr.signed_by[party]
        if of:
            parties.append(f"{short} {signed}" + (f"/{of}" if of != n else ""))
    return markup(
        f"{mark} [b]{escape(period.label)}[/] · {escape(cohort)} · {when}\n"
        f"  {count(n, 'convention')} : générées {pr.generated} · envoyées {pr.sent} · [b]signées {pr.signed}/{n}[/]\n"
        "  [dim]signée par[/] " + " · ".join(parties))


def _compute(state: AppState, limit: int) -> tuple[SignatureOverview, list]:
    with _LOCK:
        return _CACHE.compute(state.data.periods, state.placements_by_student, lambda sid: state.get("students", sid),
                              state.today, limit=limit)


def prepare(state: AppState, width: int, height: int) -> None:
    """The panel's figures for `state`, computed in the app's load worker: the first
    reading of every learner's placements costs ≈ 0.2 s at 15,000 learners (issue 13: a
    frozen frame when the school's state arrived); `show_state` then only draws them."""
    global _PREPARED
    if state.partial:
        return
    limit = SignatureProgressPanel.limit_for(width, height)
    _PREPARED = (state, limit, _compute(state, limit))


def _show(widget: Static, content: Content) -> None:
    """`content` in `widget`, without a repaint if it is the same, without a layout of the
    dashboard (issue 13: ≈ 10 ms a save at 1,500 learners) if it has as many lines: the
    lines are one row high, cut with « … », as wide as the panel."""
    old = widget.content
    if isinstance(old, Content) and old.plain == content.plain and list(old.spans) == list(content.spans):
        return  # (Content's == compares the text only)
    lines = content.plain.count("\n")
    widget.update(content, layout=not isinstance(old, Content) or old.plain.count("\n") != lines)


class SignatureProgressPanel(Vertical):
    """Mounted by the dashboard; `show_state(state)` at each new state."""

    DEFAULT_CSS = """
    SignatureProgressPanel {
        height: auto;
        border: round $primary 50%;
        border-title-color: $text-primary;
        border-title-style: bold;
        padding: 0 1;
    }
    SignatureProgressPanel > Shortcut { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    SignatureProgressPanel > Shortcut:focus {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    SignatureProgressPanel > Shortcut:hover { background: $boost; }
    SignatureProgressPanel > .periods { height: auto; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    @staticmethod
    def limit_for(width: int, height: int) -> int:
        """Periods shown, the most urgent (three lines each): one at 80×24, so that the
        cohorts' figures stay in view; more on a taller terminal."""
        if height < 32:
            return 1
        return 3 if width >= 110 and height >= 38 else 2

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key: tuple | None = None
        self.border_title = "Conventions (R10) et visites"
        # Its lines, kept (a query walks the dashboard's widgets: ≈ 3 ms a save at 15,000 learners).
        self._r10 = self._visits = None
        self._periods: Static | None = None

    def compose(self) -> ComposeResult:
        self._r10 = Shortcut(Content(""), PlacementList("r10"), id="sig-r10")
        self._visits = Shortcut(Content(""), PlacementList("no_visit"), id="sig-visits")
        self._periods = Static("", id="sig-periods", classes="periods")
        yield self._r10
        yield self._visits
        yield self._periods

    def on_mount(self) -> None:
        state = getattr(self.app, "state", None)
        if state is not None:
            self.show_state(state)

    def show_state(self, state: AppState) -> None:
        if self._periods is None:
            return  # not composed yet: its mount shows the state
        if state.partial:  # launch: the placements are not read yet (issue 13); the next state fills in
            self._key = None
            _show(self._r10, markup("Conventions signées (R10) : [i]calcul en cours…[/]"))
            _show(self._visits, markup("Visites : [i]calcul en cours…[/]"))
            # Three lines, as one period takes at 80×24: the cards below do not jump when it fills in.
            _show(self._periods, markup("[dim]Périodes en cours et à venir : calcul en cours…[/]\n\n"))
            return
        limit = self.limit_for(self.app.size.width, self.app.size.height)
        # By identity: comparing the school's lists (`data.placements`) would build them
        # (lazy, 15,000 placements: ≈ 6 ms a save on the UI thread, issue 13).
        key = (state, limit)
        if self._key is not None and self._key[0] is state and self._key[1] == limit:
            return
        self._key = key
        prepared = _PREPARED
        if prepared is not None and prepared[0] is state and prepared[1] == limit:
            ov, late = prepared[2]
        else:
            ov, late = _compute(state, limit)
        _show(self._r10, r10_line(ov))
        _show(self._visits, visits_line(len(late)))
        if ov.periods:
            text = Content("\n").join(period_lines(state, row) for row in ov.periods)
            if ov.more:
                text += markup(f"\n[dim]et {count(ov.more, 'autre période', 'autres périodes')} "
                                "en cours ou à venir (écran Périodes)[/]")
        else:
            text = markup("[dim]Aucune période en cours ni dans les 60 jours.[/]")
        _show(self._periods, text)
