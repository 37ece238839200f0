"""What the TUI remembers for its user between sessions: the theme (issue 12).

A small JSON file beside the keymap: $PFMP_SETTINGS, else ~/.config/pfmp/settings.json (or
under $XDG_CONFIG_HOME), written 0600 atomically. Unreadable or strange content is ignored
(the defaults apply); a failed write only costs the memory, never the session.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..services.files import write_private

THEMES = ("textual-dark", "textual-light")


def settings_path() -> Path:
    if os.environ.get("PFMP_SETTINGS"):
        return Path(os.environ["PFMP_SETTINGS"])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "pfmp" / "settings.json"


def load(path: Path | None = None) -> dict[str, Any]:
    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_theme(default: str, path: Path | None = None) -> str:
    theme = load(path).get("theme")
    return theme if isinstance(theme, str) and theme else default


def remember(key: str, value: Any, path: Path | None = None) -> bool:
    """Store one setting; False if it could not be written (read-only home…)."""
    path = path or settings_path()
    data = load(path)
    if data.get(key) == value:
        return True
    data[key] = value
    try:
        write_private(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    except OSError:
        return False
    return True
