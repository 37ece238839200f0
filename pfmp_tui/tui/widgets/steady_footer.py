"""A Footer that is rebuilt only when the keys it shows change (issue 13).

Textual's `Footer` removes and composes all its keys again each time the screen's
bindings are announced as updated: every focus change, every `refresh_bindings`,
every time a kept screen is shown again. On the learner's fiche that was a dozen
widgets mounted and styled two or three times per opening, for the same keys. This
one compares what it would show (key, how it is written, label, action, enabled,
tooltip) with what it shows, and leaves its keys alone when nothing differs: it looks
and behaves exactly like a `Footer`.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown_keys: tuple | None = None  # what the last compose was asked to show

    def shown_keys(self, screen: Screen) -> tuple:
        """What `Footer.compose` turns into keys, in its order."""
        app = screen.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled,
             tooltip, binding.group)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        ) + (self.show_command_palette, app.ENABLE_COMMAND_PALETTE)

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = self.shown_keys(screen)
            if self._bindings_ready and shown == self._shown_keys:
                return  # the same keys: nothing to rebuild
            self._shown_keys = shown
        super().bindings_changed(screen)
