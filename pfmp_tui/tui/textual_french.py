"""Textual's own key descriptions, in French (« esc Dismiss menu » in the footer of a French UI).

Textual's widgets carry English descriptions in their class BINDINGS; the footer shows the
visible ones (an open select: « esc Dismiss menu »; the command palette: « Exit the command
palette »). There is no hook to translate them, so `apply()` gives each of those classes French
BINDINGS (same keys, same actions) and rebuilds the merged bindings Textual computed when the
class was defined (`DOMNode._merge_bindings`); widgets created afterwards use them. Idempotent,
called once when the app module is imported. Checked against Textual 8.2.8.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import RadioSet, Select
from textual.widgets._select import SelectOverlay
from textual.widgets._toggle_button import ToggleButton

# class -> {action: French description}
FRENCH: dict[type, dict[str, str]] = {
    SelectOverlay: {"dismiss": "Fermer la liste"},
    Select: {"show_overlay": "Ouvrir la liste"},
    ToggleButton: {"toggle_button": "Cocher / décocher"},
    RadioSet: {"toggle_button": "Choisir"},
    CommandPalette: {
        "escape": "Fermer le menu",
        "cursor_down": "Commande suivante",
        "command_list('page_down')": "Page suivante",
        "command_list('page_up')": "Page précédente",
        "command_list('cursor_up')": "Commande précédente",
        "command_list('last')": "Dernière commande",
        "command_list('first')": "Première commande",
    },
}


def _french(binding, words: dict[str, str]):
    if isinstance(binding, tuple):
        binding = Binding(*binding)
    if not isinstance(binding, Binding) or binding.action not in words:
        return binding
    return Binding(binding.key, binding.action, words[binding.action], show=binding.show,
                   key_display=binding.key_display, priority=binding.priority, tooltip=binding.tooltip,
                   id=binding.id, system=binding.system)


def apply() -> None:
    for cls, words in FRENCH.items():
        own = cls.__dict__.get("BINDINGS")
        if own is None:
            continue
        cls.BINDINGS = [_french(b, words) for b in own]
    # Rebuild the merged maps of these classes and of every subclass already defined (Checkbox,
    # RadioButton, pfmp's own StateCheckbox…), parents first.
    todo = list(FRENCH)
    while todo:
        cls = todo.pop(0)
        cls._merged_bindings = cls._merge_bindings()
        todo.extend(cls.__subclasses__())


def description(cls: type, action: str) -> str:
    """The description the footer shows for `action` on `cls` (tests)."""
    merged = cls._merged_bindings
    for bindings in merged.key_to_bindings.values():
        for b in bindings:
            if b.action == action:
                return b.description
    return ""
