"""One stylesheet per screen, beside it (issue 11): every CSS_PATH exists, every .tcss is used.

Textual 8 resolves a relative CSS_PATH against the file of the screen's *class* (not of the
class that declared it), and reads it when the screen is first pushed; the app's global.tcss is
read at start. A missing file would fail only when the screen is first opened: caught here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.screen import Screen

import pfmp_tui.tui
from pfmp_tui.tui.app import PfmpApp

TUI = Path(pfmp_tui.tui.__file__).parent


def _screen_classes() -> list[type[Screen]]:
    for info in pkgutil.walk_packages(pfmp_tui.tui.__path__, "pfmp_tui.tui."):
        importlib.import_module(info.name)
    found, todo = [], [Screen]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("pfmp_tui.tui."):
                found.append(sub)
    return found


def _css_files(cls: type) -> list[Path]:
    paths = cls.CSS_PATH or []
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    return [(Path(inspect.getfile(cls)).parent / p).resolve() for p in paths]


def test_every_screen_has_its_stylesheet_beside_it():
    classes = _screen_classes()
    assert len(classes) >= 20
    for cls in classes:
        if cls.__name__ == "TableDetailScreen":  # the shared base: its subclasses name theirs
            continue
        files = _css_files(cls)
        assert files, f"{cls.__name__} has no CSS_PATH"
        for path in files:
            assert path.is_file(), f"{cls.__name__}: {path} is missing"
            assert path.parent == Path(inspect.getfile(cls)).parent, f"{cls.__name__}: {path} is not beside it"


def test_every_stylesheet_is_read_by_a_screen_or_the_app():
    used = {path for cls in _screen_classes() for path in _css_files(cls)} | set(_css_files(PfmpApp))
    assert (TUI / "global.tcss").resolve() in used
    orphans = [p for p in TUI.rglob("*.tcss") if p.resolve() not in used]
    assert not orphans, f"stylesheets no screen reads: {orphans}"
