"""A user keymap moves keys by binding id (posting-style), and the help shows the moved key."""

from __future__ import annotations

from pfmp_tui.tui import keys
from pfmp_tui.tui.screens.candidates import CandidatesScreen
from pfmp_tui.tui.screens.dialogs import HelpScreen
from tests.tui_support import make_app, settle


def test_load_keymap_keeps_known_ids_and_warns_about_the_rest(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('[keymap]\n"dashboard.candidates" = "e"\n"nope.nothing" = "z"\n"app.help" = 3\n', encoding="utf-8")
    keymap, warnings = keys.load_keymap(path)
    assert keymap == {"dashboard.candidates": "e"}
    assert any("« nope.nothing »" in w for w in warnings) and any("« app.help »" in w for w in warnings)
    assert keys.load_keymap(tmp_path / "absent.toml") == ({}, [])
    path.write_text("[keymap\n", encoding="utf-8")
    assert keys.load_keymap(path)[0] == {} and "ignorés" in keys.load_keymap(path)[1][0]


async def test_a_moved_key_works_and_the_help_says_so(demo, tmp_path, monkeypatch):
    path = tmp_path / "keymap.toml"
    path.write_text('"dashboard.candidates" = "e"\n', encoding="utf-8")
    monkeypatch.setenv("PFMP_KEYMAP", str(path))
    app = make_app(demo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        binding = next(b for b in keys.SCOPES["dashboard"].bindings if b.id == "dashboard.candidates")
        assert f"  {'e':<12} {binding.tooltip or binding.description}" in text
        assert f"  {'l':<12} {binding.tooltip or binding.description}" not in text
        await pilot.press("escape")
        await pilot.press("l")  # the old key no longer opens the list
        await pilot.pause(0.2)
        assert not isinstance(app.screen, CandidatesScreen)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, CandidatesScreen))
