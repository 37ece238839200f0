"""Issue 15 in the TUI: the file writes its convention (read back) and shows the
visits and reminders of the placement; the periods screen shows signature progress."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from textual.widgets import Static

from pfmp_tui.services import visits
from pfmp_tui.tui.liaison import palette_commands
from tests.test_tui_assessment import make_app, open_file_on, repo, settle, wait_for  # noqa: F401 - fixture


async def test_file_writes_convention_and_shows_visits(repo, tmp_path: Path):  # noqa: F811 - the fixture
    visits.plan_visit(repo, "p0", None, done_on=date(2025, 12, 10), kind="telephone", report="Tout va bien")
    exports = tmp_path / "exports"
    app = make_app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        file = await open_file_on(pilot, "s1", "p0")
        detail = str(file.query_one("#placement-detail", Static).render())
        assert "Visites : téléphone faite le 10/12/2025" in detail and "compte rendu : Tout va bien" in detail
        entries = {t: run for t, _, run in palette_commands(app, file)}
        entries["Convention DOCX du stage choisi"]()
        await wait_for(pilot, lambda: exports.is_dir() and len(list(exports.glob("convention_*.docx"))) == 1)
        await app.workers.wait_for_complete()
        messages = [n.message for n in app._notifications]
    path = next(exports.glob("convention_*.docx"))
    assert any("1 convention(s) écrite(s)" in m for m in messages)
    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "Mairie de Lyon" in text and "Zoé" in text
    assert repo.dataset().placements[0].convention.generated_on is not None
