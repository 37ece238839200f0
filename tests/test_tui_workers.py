"""Every `@work` of the TUI names itself (issue 13).

Without `description=`, Textual 8 builds the `repr()` of the worker's arguments on the
UI thread each time it starts one (textual/_work_decorator.py): a state of 15,000
candidates made a 47-million-character string on every refresh of the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pfmp_tui.tui

TUI = Path(pfmp_tui.tui.__file__).parent


def work_decorators():
    for path in sorted(TUI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    target = deco.func if isinstance(deco, ast.Call) else deco
                    if isinstance(target, ast.Name) and target.id == "work" or \
                            isinstance(target, ast.Attribute) and target.attr == "work":
                        yield path, node, deco


def test_every_worker_has_a_description():
    found = list(work_decorators())
    assert len(found) >= 8  # the app's loads and exports, the lists, the planner, the import…
    missing = [f"{path.relative_to(TUI)}:{node.lineno} {node.name}" for path, node, deco in found
               if not (isinstance(deco, ast.Call) and any(k.arg == "description" for k in deco.keywords))]
    assert missing == []


def test_a_state_repr_is_short():
    """Anything that still prints a state (a log line) gets one line, not the school."""
    from datetime import date

    from pfmp_tui.domain.model import Dataset
    from pfmp_tui.tui.state import build_state

    class Snap:
        generation = 3
        data = Dataset()

    text = repr(build_state(Snap(), date(2026, 11, 28)))
    assert text == "<AppState generation=3 candidates=0 today=2026-11-28>"
