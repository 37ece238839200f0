"""No traceback reaches a TUI user unless PFMP_DEBUG=1."""

from __future__ import annotations

import io

from rich.console import Console

from pfmp_tui.tui.app import PfmpApp


def _exit_output(repo, monkeypatch, debug: bool) -> str:
    if debug:
        monkeypatch.setenv("PFMP_DEBUG", "1")
    else:
        monkeypatch.delenv("PFMP_DEBUG", raising=False)
    app = PfmpApp(repo)
    buffer = io.StringIO()
    app.error_console = Console(file=buffer, width=100)
    try:
        raise RuntimeError("boum")
    except RuntimeError as exc:
        app._exception = exc
        app._exit_renderables.append("Traceback (most recent call last): …")
    app._print_error_renderables()
    return buffer.getvalue()


def test_unexpected_error_is_one_french_line(repo, monkeypatch):
    out = _exit_output(repo, monkeypatch, debug=False)
    assert "erreur inattendue dans l'interface : RuntimeError: boum" in out
    assert "Traceback" not in out


def test_debug_keeps_the_traceback(repo, monkeypatch):
    assert "Traceback" in _exit_output(repo, monkeypatch, debug=True)
