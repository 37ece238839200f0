"""Choose a host organisation or a tutor by typing, from a form (issue 15 §3).

The placement form and the tutor form show organisations and tutors in drop-down lists;
a school has hundreds. `PickScreen` opens on the field (a letter typed, or ^f): search as
you type (organisations by name, town, SIRET; tutors by name, organisation, e-mail,
phone), entrée chooses, ^n creates what was searched for (a tutor attached to the
organisation chosen in the form) and closes on the new record. It returns the chosen id
(None: nothing chosen). Shared by the forms: it imports no screen.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...services.finding import finder
from ...services.planning import PLACEHOLDER_ORG
from .. import keys
from ..formatting import fit
from ..search_defaults import search_defaults

LISTED = 50  # options listed at once: more means « précisez »
DIALOG_WIDTH = 76  # as pick.tcss says; narrower on a narrower terminal

TITLES = {"organisations": "Choisir l'organisation d'accueil", "tutors": "Choisir le tuteur"}
HINTS = {"organisations": "Rechercher (nom, ville, SIRET)…",
         "tutors": "Rechercher (nom, organisation, courriel, téléphone)…"}


class PickScreen(ModalScreen[str | None]):
    CSS_PATH = "pick.tcss"
    KEY_SCOPE = "pick"
    BINDINGS = keys.bindings("pick")

    def __init__(self, kind: str, *, text: str = "", organisation_id: str | None = None,
                 current: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.organisation_id = organisation_id  # tutors: this organisation's first
        self.current = current
        self._creating = False  # ^n: the form of a new record is open

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="pick-dialog"):
            yield Static(TITLES[self.kind], classes="dialog-title")
            yield Input(self.text, placeholder=HINTS[self.kind], id="pick-search", compact=True)
            yield OptionList(id="pick-list", compact=True)
            yield Static("", id="pick-count", classes="muted")
            yield Static("entrée : choisir · ^n : créer ce qui est cherché", classes="dialog-hint")

    def on_mount(self) -> None:
        search = self.query_one("#pick-search", Input)
        search.focus()
        search.cursor_position = len(search.value)
        self._fill()

    def show_state(self, state: Any) -> None:
        if self.is_mounted:
            self._fill()

    def on_resize(self) -> None:
        self._fill()

    def select_record(self, kind: str, record_id: str) -> None:
        """The record created with ^n: chosen, and the dialog closes on it."""
        if self._creating and kind == self.kind and self.app.screen is self:
            self._creating = False
            self.dismiss(record_id)

    # -- the list --------------------------------------------------------------------------------
    def _fill(self) -> None:
        state = self.app.state
        if state is None:
            return
        find = finder(state.data)
        text = self.query_one("#pick-search", Input).value
        # One line an option, cut with « … »: the dialog less its border, padding, mark and scrollbar.
        width = min(DIALOG_WIDTH, self.app.size.width) - 9
        options: list[Option] = []
        if self.kind == "organisations":
            found = find.find_organisations(text, exclude=frozenset({PLACEHOLDER_ORG.id}), limit=LISTED + 1)
            total = len(find.organisations) - (1 if PLACEHOLDER_ORG.id in find.org_names else 0)
            options = [Option(self._mark(o.id) + fit(o.name + (f" ({o.city})" if o.city else "")
                                                    + (f" · SIRET {o.siret}" if o.siret else ""), width), id=o.id)
                       for o in found[:LISTED]]
        else:
            own = find.find_tutors(text, organisation_id=self.organisation_id) if self.organisation_id else []
            others = [t for t in find.find_tutors(text, limit=LISTED + len(own) + 1)
                      if t.organisation_id != self.organisation_id]
            found = (own + others)[:LISTED + 1]
            total = len(find.tutors)
            options = [Option(self._mark(t.id) + fit(f"{t.full_name} · {find.organisation_name(t.organisation_id)}"
                                                    + (f" · {t.email}" if t.email else ""), width), id=t.id)
                       for t in found[:LISTED]]
        pick_list = self.query_one("#pick-list", OptionList)
        shown = len(options)
        if len(found) > LISTED:
            options.append(Option("  … d'autres encore : précisez la recherche", disabled=True))
        if not options:
            what = "aucune organisation ne correspond" if self.kind == "organisations" else "aucun tuteur ne correspond"
            options = [Option(f"  {what} (^n : le créer)" if self.kind == "tutors" else f"  {what} (^n : la créer)",
                              disabled=True)]
        pick_list.set_options(options)
        if shown:
            pick_list.highlighted = 0
        more = "+" if len(found) > LISTED else ""
        self.query_one("#pick-count", Static).update(f"{shown}{more} sur {total}" if text.strip() else f"{total} en tout")

    def _mark(self, record_id: str) -> str:
        return "✓ " if record_id == self.current else "  "

    @on(Input.Changed, "#pick-search")
    def _typed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#pick-search")
    def _submitted(self) -> None:
        option = self.query_one("#pick-list", OptionList).highlighted_option
        if option is not None and option.id and not option.disabled:
            self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#pick-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    # -- actions ---------------------------------------------------------------------------------
    def action_to_list(self) -> None:
        if self.focused is not None and self.focused.id == "pick-search":
            self.query_one("#pick-list", OptionList).focus()
        else:
            self.focus_next()

    def action_create(self) -> None:
        """^n: the form of a new organisation / tutor, with what was typed (a tutor: attached to
        the organisation chosen in the form, else the form asks); the new record is then chosen."""
        text = self.query_one("#pick-search", Input).value
        defaults: dict[str, Any] = dict(search_defaults(self.kind, text))
        if self.kind == "tutors" and self.organisation_id:
            defaults["organisation_id"] = self.organisation_id
        self._creating = True
        self.app.open_form(self.kind, defaults=defaults)

    def action_cancel(self) -> None:
        self.dismiss(None)
