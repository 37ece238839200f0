"""Home screen: what needs attention, and each cohort's candidates by status, as bars.

Every figure is focusable (↑ ↓ or Tab, then Entrée, or a click) and opens the
candidates list filtered to exactly the candidates it counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...domain.rules import STATUS_ORDER
from ...domain.validation import format_date_fr
from ...domain.wording import count
from .. import keys
from ..state import (
    STATUS_COLOURS,
    AppState,
    CohortFigures,
    CandidateFilter,
    cohort_figures,
    cohort_name,
    deadline_text,
    dom_id,
    status_text,
    upcoming_deadlines,
    week_of,
)
from ..widgets.figure import Figure, markup
from ..widgets import signature_progress
from ..widgets.signature_progress import SignatureProgressPanel  # issue 15: conventions (R10), visits

BAR_WIDTH = 30
# What a figure that needs the learners' records says while the school is being read at
# launch (the statuses and the cohorts are drawn first: `state.preview_state`).
CALCULATING = "calcul en cours…"


@dataclass(frozen=True)
class Item:
    """One line of the dashboard: a figure (with a filter) or a plain heading."""

    id: str
    content: Content
    filter: CandidateFilter | None = None
    title: str = ""
    classes: str = ""


def _bar(count: int, total: int, colour: str) -> str:
    if total <= 0:
        return ""
    filled = round(BAR_WIDTH * count / total)
    if count and not filled:
        filled = 1
    return f"[{colour}]{'█' * filled}[/][dim]{'░' * (BAR_WIDTH - filled)}[/]"


def _plural(n: int, one: str, many: str) -> str:
    """« 0 stage », « 1 élève », « 2 élèves » (French: singular for 0 and 1)."""
    return count(n, one, many)


def watch_items(state: AppState) -> list[Item]:
    items: list[Item] = []
    overdue_placements = sum(state.overdue.values())
    items.append(Item(
        "fig-overdue",
        markup(
            f"[{STATUS_COLOURS['a_risque'] if overdue_placements else STATUS_COLOURS['valide']}]"
            f"{'!' if overdue_placements else '✓'}[/] "
            f"[b]{_plural(overdue_placements, 'attestation en retard', 'attestations en retard')}[/] (R11)"
            f" · {_plural(len(state.overdue), 'élève', 'élèves')}"
        ),
        CandidateFilter(special="attestation_overdue"),
        "Attestations en retard (R11)",
    ))
    monday, sunday = week_of(state.today)
    ending = sum(state.ending_this_week.values())
    week = f"(du {format_date_fr(monday)[:5]} au {format_date_fr(sunday)[:5]})"
    items.append(Item(
        "fig-ending",
        markup(  # the placements are read after the statuses at launch (issue 13)
            f"[$text-primary]»[/] stages finissant cette semaine : [i]{CALCULATING}[/]" if state.partial else
            f"[$text-primary]»[/] [b]{_plural(ending, 'stage finit', 'stages finissent')}[/] cette semaine {week}"
            f" · {_plural(len(state.ending_this_week), 'élève', 'élèves')}"
        ),
        CandidateFilter(special="ending_this_week"),
        "Stages finissant cette semaine",
    ))
    for cohort, at_risk in upcoming_deadlines(state):
        name = cohort_name(cohort)
        items.append(Item(
            dom_id("fig-deadline", cohort.id),
            markup(
                f"[$text-primary]»[/] dossier [b]{escape(name)}[/] le {deadline_text(cohort, state.today)}"
                f" · [{STATUS_COLOURS['a_risque']}]{_plural(at_risk, 'à risque', 'à risque')}[/]"
            ),
            CandidateFilter(cohort_id=cohort.id, status="a_risque"),
            f"{name} : à risque",
        ))
    return items


# A cohort's card, by what it shows: a save changes one cohort's figures, so the other
# cards are taken from here rather than built again (markup parsed, issue 13).
_CARDS: dict[tuple, list[Item]] = {}


# Cards drawn at most (issue 13): a school of 15,000 has 430 divisions, and thousands of
# figures made every frame, every save and every screen change cost seconds. The most
# urgent are shown; one more figure says how many others there are and opens them all.
CARDS_SHOWN = 24
# Cards in the first frame, then mounted per frame after it (`DashboardScreen._grow_later`).
FIRST_CARDS = 4
CARDS_PER_FRAME = 4


def cohort_items(state: AppState) -> list[list[Item]]:
    cards = []
    if len(_CARDS) > 20_000:
        _CARDS.clear()
    figures = cohort_figures(state)
    hidden = 0
    if len(figures) > CARDS_SHOWN:
        urgent = sorted(figures, key=lambda f: (-(f.counts["non_valide"] + f.counts["a_risque"]),
                                                f.cohort.dossier_deadline, f.cohort.id))[:CARDS_SHOWN]
        shown = {f.cohort.id for f in urgent}
        hidden = len(figures) - len(shown)
        figures = [f for f in figures if f.cohort.id in shown]  # in their usual order
    for fig in figures:
        key = (fig.cohort.id, fig.cohort.label, fig.cohort.exam_session, fig.cohort.dossier_deadline,
               tuple(fig.counts[s] for s in STATUS_ORDER), fig.total)
        card = _CARDS.get(key)
        if card is None:
            card = _CARDS[key] = _card(fig)
        cards.append(card)
    if hidden:
        cards.append([Item(
            "fig-more-cohorts",
            markup(f"[$text-primary]»[/] et [b]{hidden} autres cohortes[/] (les plus urgentes "
                                "ci-dessus) : toutes dans la liste des élèves"),
            CandidateFilter(),
            "Toutes les cohortes",
        )])
    return cards


def _card(fig: CohortFigures) -> list[Item]:
    """The heading and the status figures of one cohort."""
    name = cohort_name(fig.cohort)
    card = [Item(
        dom_id("head", fig.cohort.id),
        markup(
            f"[b]{escape(name)}[/] · {_plural(fig.total, 'élève', 'élèves')}"
            f" · dossier le {format_date_fr(fig.cohort.dossier_deadline)}"
        ),
        classes="cohort-head",
    )]
    for status in reversed(STATUS_ORDER):  # valide first, like a progress bar
        n = fig.counts[status]
        card.append(Item(
            dom_id(f"fig-{status}", fig.cohort.id),
            markup(
                f"[{STATUS_COLOURS[status]}]{status_text(status):<13}[/]{n:>4}  "
                f"{_bar(n, fig.total, STATUS_COLOURS[status])}"
            ),
            CandidateFilter(cohort_id=fig.cohort.id, status=status),
            f"{name} : {status_text(status)}",
            classes=f"status-{status}",
        ))
    return card


def _card_id(card: list[Item]) -> str:
    """The id of a card's container: from its first line (a cohort's heading, or the
    « autres cohortes » figure)."""
    return f"card-{card[0].id}"


class DashboardScroll(VerticalScroll, can_focus=False):
    """Scrolls to the focused figure; the figures take the focus, not the container."""


class DashboardScreen(Screen):
    CSS_PATH = "dashboard.tcss"
    KEY_SCOPE = "dashboard"
    BINDINGS = keys.bindings("dashboard")

    @staticmethod
    def prepare(state: AppState, width: int, height: int) -> None:
        """What the dashboard can compute for `state` off the UI thread (the app's load
        worker calls it before handing the state over)."""
        signature_progress.prepare(state, width, height)

    def __init__(self) -> None:
        super().__init__()
        self._watch: list[Item] = []
        self._cards: list[list[Item]] = []  # the latest cards, every one
        self._drawn_watch: list[Item] = []  # what the widgets show
        self._drawn: list[list[Item]] = []  # the cards mounted, in order: the first `_limit` of `_cards`
        self._limit = FIRST_CARDS
        self._rebuilding = False  # a recompose is pending: it draws the latest items
        self._growing = False  # more cards to mount after the next frame
        self._panel: SignatureProgressPanel | None = None
        self._stale = False  # a state came while another screen was on top: drawn when this one is again

    @property
    def ready(self) -> bool:
        """Every card drawn (tests wait on it: `tests.tui_support.settle`)."""
        return not self._rebuilding and not self._growing and len(self._drawn) == len(self._cards)

    def _state(self) -> AppState | None:
        """The school's state, else the launch's preview (statuses and cohorts, `partial`)."""
        return self.app.state or getattr(self.app, "preview", None)

    def compose(self) -> ComposeResult:
        state = self._state()
        if not self._cards and state is not None:  # the first state already read: drawn once
            self._watch, self._cards = watch_items(state), cohort_items(state)
        self._drawn_watch, self._drawn = self._watch, self._cards[:self._limit]
        self._panel = None
        yield Header()
        with DashboardScroll(id="dashboard"):
            if not self._cards:
                yield Static("Lecture de l'école…" if state is None else
                             "Aucune cohorte pour l'instant : « c » puis « n » pour créer la première, "
                             "ou, en ligne de commande, « pfmp load FICHIER » ou « pfmp demo ».",
                             id="dashboard-empty")
            if self._watch:
                with Vertical(id="watch", classes="panel") as panel:
                    panel.border_title = "À surveiller"
                    yield from self._widgets(self._watch)
                self._panel = SignatureProgressPanel(id="signatures")
                yield self._panel
            with Grid(id="cohorts"):
                for card in self._drawn:
                    yield self._card_widget(card)
        yield Footer(compact=True)

    def _card_widget(self, card: list[Item]) -> Vertical:
        return Vertical(*self._widgets(card), id=_card_id(card), classes="cohort-card")

    @staticmethod
    def _widgets(items: list[Item]) -> ComposeResult:
        for item in items:
            if item.filter is None:
                yield Static(item.content, id=item.id, classes=item.classes)
            else:
                yield Figure(item.content, item.filter, title=item.title, id=item.id, classes=item.classes)

    def on_mount(self) -> None:
        self.sub_title = "Tableau de bord"
        state = self._state()
        if state is not None:
            self.show_state(state)
        self._grow_later()

    def show_state(self, state: AppState) -> None:
        """New data: update the figures in place; a card that leaves or joins the most
        urgent is removed or mounted alone (issue 13: a save's frame must not rebuild the
        whole dashboard); rebuild only if the « à surveiller » lines or the first cards change.
        Under another screen (the list, a fiche being edited), nothing is drawn: the latest
        state is when the dashboard is on top again (issue 13: 5–17 ms of each save's frame)."""
        if self.is_mounted and self.app.screen is not self:
            self._stale = True
            return
        self._stale = False
        self.sub_title = ("Tableau de bord · lecture de l'école…" if state.partial  # 80 columns: the date after
                          else f"Tableau de bord · au {format_date_fr(state.today)}")
        if self._panel is not None:  # kept: a query walks every widget of the dashboard
            self._panel.show_state(state)
        self._watch, self._cards = watch_items(state), cohort_items(state)
        if self._rebuilding:
            return  # the pending recompose draws these (compose reads them)
        self._draw()
        self._grow_later()

    def on_screen_resume(self) -> None:
        state = self._state()
        if self._stale and state is not None:
            self.show_state(state)

    def _grow_later(self) -> None:
        """The cards past the first ones are mounted a few a frame (issue 13: 24 cards are
        150 widgets, whose styles and layout made the launch's first frame 0.2–0.3 s; at
        80×24 the first card or two are in view)."""
        if not self._growing and len(self._cards) > self._limit:
            self._growing = True
            self.call_after_refresh(self._grow)

    def _grow(self) -> None:
        self._growing = False
        if self._rebuilding:
            return  # the recompose draws the first `_limit`, and grows again after it
        self._limit += CARDS_PER_FRAME
        self._draw()
        self._grow_later()

    def _draw(self) -> None:
        """From what the widgets show to the latest items: the lines that changed, and the
        cards that left or joined the first `_limit`, alone."""
        watch, cards = self._watch, self._cards[:self._limit]
        old_watch, old_cards = self._drawn_watch, self._drawn
        if not old_cards or not cards or [i.id for i in old_watch] != [i.id for i in watch]:
            self._schedule_rebuild()
            return
        self._update_items(old_watch, watch)
        self._drawn_watch = watch
        # A card kept is one whose lines are the same (a cohort's heading and its four statuses).
        old_by_id = {_card_id(c): c for c in old_cards}
        new_ids = {_card_id(c) for c in cards
                   if _card_id(c) in old_by_id and [i.id for i in old_by_id[_card_id(c)]] == [i.id for i in c]}
        leaving = old_by_id.keys() - new_ids
        if any(_card_id(c) in leaving for c in cards):  # a card's lines changed: ids must be free first
            self._schedule_rebuild()
            return
        grid = self.query_one("#cohorts", Grid)
        for card_id in leaving:  # the focus, if there, goes to a neighbour (Textual's _reset_focus)
            grid.query_one(f"#{card_id}").remove()
        previous: Vertical | None = None
        for card in cards:
            card_id = _card_id(card)
            old = old_by_id.get(card_id) if card_id in new_ids else None
            if old is not None:
                self._update_items(old, card)
                previous = grid.query_one(f"#{card_id}", Vertical)
                continue
            widget = self._card_widget(card)
            if previous is not None:
                grid.mount(widget, after=previous)
            else:
                kept = [c for c in grid.children if c.id in old_by_id and c.id in new_ids]
                grid.mount(widget, before=kept[0]) if kept else grid.mount(widget)
            previous = widget
        self._drawn = cards

    def _update_items(self, old_items: list[Item], new_items: list[Item]) -> None:
        """The same lines with new texts: only those that changed, without a layout when
        their width is the same."""
        for old, item in zip(old_items, new_items):
            if old == item:
                continue  # unchanged (one cohort's save changes its own card): no update, no re-layout
            widget = self.query_one(f"#{item.id}")
            if isinstance(widget, Figure):
                widget.show(item.content, item.filter, item.title)
            else:
                widget.update(item.content, layout=item.content.cell_length != old.content.cell_length)

    def _schedule_rebuild(self) -> None:
        self._rebuilding = True
        self.call_later(self._rebuild, self.focused.id if self.focused is not None else None)

    async def _rebuild(self, focused: str | None) -> None:
        try:
            await self.recompose()
        finally:
            self._rebuilding = False
        self._restore_focus(focused)
        self._grow_later()

    def _restore_focus(self, widget_id: str | None) -> None:
        target = self.query(f"#{widget_id}") if widget_id else None
        if target:
            target.first().focus()
        else:
            figures = self.query(Figure)
            if figures:
                figures.first().focus()

    def on_figure_chosen(self, message: Figure.Chosen) -> None:
        self.app.open_candidates(message.filter)
