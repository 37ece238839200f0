"""Keys that arrive together are applied one after the other, in the order they were typed.

Why (Textual 8.2.8, `App.on_event` and `MessagePump._on_message`): the app forwards each key
to the focused widget's message queue and goes straight on to the next key. A key the widget
does not consume itself (ctrl+u, backspace, tab, ctrl+s on an Input…) then bubbles up, one
queue per ancestor, and its *non-priority* binding only runs when it is back at the app
(`App._on_key` → `_check_bindings`). By then the printable keys that followed it in the same
read were already inserted: value « 15 », `End ctrl+u 1 2` in one burst leaves « » instead of
« 12 ». A priority binding (ctrl+s) is worse: it runs at once, before the edits typed just
before it reached the widget. Over SSH, in tmux, or when pasting, keys always come in bursts.

What this does: `OrderedKeys.on_event` holds every incoming key (and paste) while the
previous one is still being handled, and hands over the next one only once the previous one
is completely done, bindings included, and the focus moves it asked for have happened. So
each key reaches the widget that has focus after every earlier key was applied, the same
result as typing slowly.

How "done" is known without polling: after the key is forwarded to its target, a callback is
queued behind it on the target (`call_later`); when it runs the target has handled the key.
If the key was stopped there, it is done; otherwise it has already been re-posted to the
parent, and the callback hops to the parent the same way, up to the app, which handles a
bubbled key's bindings before the hop arrives. Then the next key waits until what the key set
off is done too: the messages it posted (a select's choice, a checkbox's Changed), the focus
moves it asked for (`Widget.focus` goes through `app.call_later`), a screen it pushed being
mounted: until the app's queue and those of the screen's widgets are empty (at most
`SETTLE_LIMIT`). A watchdog releases the queue only if the node holding the key was closed
meanwhile (removed widget, popped screen), where no hop can come back.

The fix upstream (Textual) is in the note of issue 12 (/work/notes/i12-input.md).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from textual import events
from textual.message_pump import MessagePump

# How often the watchdog checks that the node holding the key in flight is still alive (s).
WATCHDOG_INTERVAL = 0.25
# Longest wait for the widgets to be done with what a key set off before the next key goes (s).
SETTLE_LIMIT = 0.5


class OrderedKeys:
    """Mixin for a Textual `App` (put it before `App` in the bases)."""

    def _key_order_init(self) -> None:
        self._held_inputs: deque[events.Event] = deque()
        self._key_in_flight: events.Event | None = None
        self._key_hop_node: MessagePump | None = None
        self._key_generation = 0
        self._key_watchdog: Any = None

    @property
    def keys_pending(self) -> int:
        """Keys received and not yet completely handled (tests wait for 0)."""
        if not hasattr(self, "_held_inputs"):
            return 0
        return len(self._held_inputs) + (self._key_in_flight is not None)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            if not hasattr(self, "_held_inputs"):
                self._key_order_init()
            self._held_inputs.append(event)
            if self._key_in_flight is None:
                await self._release_next_key()
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _release_next_key(self) -> None:
        """Hand the oldest held key to Textual's own dispatch, then wait for it to finish."""
        while self._held_inputs:
            event = self._held_inputs.popleft()
            self._key_generation += 1
            generation = self._key_generation
            self._key_in_flight = event
            target = self.focused or self.screen  # type: ignore[attr-defined]
            await super().on_event(event)  # type: ignore[misc]  # priority bindings, then forward
            if event.is_forwarded and target.call_later(self._key_hop, generation, target):
                self._key_hop_node = target
                self._start_watchdog()
                return
            # Handled at once (a priority binding) or nowhere to go: settle, then the next one.
            self._key_hop_node = self  # type: ignore[assignment]
            self.call_later(self._key_settled, generation)  # type: ignore[attr-defined]
            return
        self._key_in_flight = None
        self._key_hop_node = None

    def _key_hop(self, generation: int, node: MessagePump) -> None:
        """Runs in `node`'s task, after `node` handled the key in flight."""
        if generation != self._key_generation:
            return
        event = self._key_in_flight
        parent = node._parent
        if node is self or event is None or event._stop_propagation or parent is None:
            self._finish_key(generation)
            return
        self._key_hop_node = parent
        if not parent.call_later(self._key_hop, generation, parent):
            self._finish_key(generation)

    def _finish_key(self, generation: int) -> None:
        self._key_hop_node = self  # type: ignore[assignment]
        # Through the app's queue once more: focus moves asked for while handling the key
        # (`Widget.focus` → `app.call_later`) are applied before the next key goes out.
        self.call_later(self._key_settled, generation)  # type: ignore[attr-defined]

    async def _key_settled(self, generation: int, since: float | None = None) -> None:
        """The key was handled; wait until what it set off has been handled too (messages it
        posted: a select's choice, a checkbox's change, a focus move; a screen it pushed being
        mounted), then hand out the next key. Bounded: a screen that never settles gets the key
        after `SETTLE_LIMIT` seconds, as it would from a person typing."""
        if generation != self._key_generation:
            return
        now = time.monotonic()
        since = now if since is None else since
        if now - since < SETTLE_LIMIT and self._pumps_busy():
            # Give the other widgets' tasks a turn, then come back behind whatever the app queued.
            asyncio.get_running_loop().call_soon(self.call_later, self._key_settled, generation, since)  # type: ignore[attr-defined]
            return
        self._stop_watchdog()
        self._key_in_flight = None
        await self._release_next_key()

    def _pumps_busy(self) -> bool:
        """Is a message still waiting in the app's queue or in one of the screen's widgets?"""
        if not self._message_queue.empty():  # type: ignore[attr-defined]
            return True
        screen = self.screen  # type: ignore[attr-defined]
        if not screen.is_mounted:
            return True
        return any(not node._message_queue.empty() for node in screen.walk_children(with_self=True))

    # -- watchdog: a key whose holder was closed (removed widget, popped screen) --------------------
    def _start_watchdog(self) -> None:
        if self._key_watchdog is None:
            self._key_watchdog = self.set_interval(WATCHDOG_INTERVAL, self._check_key_holder)  # type: ignore[attr-defined]

    def _stop_watchdog(self) -> None:
        if self._key_watchdog is not None:
            self._key_watchdog.stop()
            self._key_watchdog = None

    def _check_key_holder(self) -> None:
        node = self._key_hop_node
        if self._key_in_flight is None:
            self._stop_watchdog()
            return
        if node is None or node is self:
            return
        if node._closing or node._closed or not node.is_attached:
            self._finish_key(self._key_generation)
