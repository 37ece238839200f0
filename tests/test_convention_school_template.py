"""Issue 15 §1: the school's own convention model named once in the settings
(« [conventions] template »), used by `pfmp paper convention` without --template and by
the TUI (the placing screen's « Conventions DOCX de toute la période »); --template still
wins; an unknown field in it is reported before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.services.settings import parse_settings
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.placing import PlacingScreen
from pfmp_tui.tui.targets import Placing
from tests.conftest import minimal_document, run_pfmp
from tests.tui_support import settle


def _model(path: Path, extra: str = "") -> Path:
    d = Document()
    d.add_paragraph("MODÈLE DU LYCÉE — {{ eleve.prenom }} {{ eleve.nom }} chez {{ organisme.nom }}" + extra)
    d.save(path)
    return path


def _store(db_path: Path, model: str) -> Repository:
    repo = Repository(Store(db_path))
    repo.add_all(parse_document(minimal_document()), replace=True)
    (db_path.parent / "pfmp.toml").write_text(f'[conventions]\ntemplate = "{model}"\n', encoding="utf-8")
    return repo


def _texts(folder: Path) -> list[str]:
    return ["\n".join(p.text for p in Document(f).paragraphs) for f in sorted(folder.glob("convention_*.docx"))]


def test_settings_template_is_relative_to_the_file_and_checked():
    s = parse_settings({"conventions": {"template": "modele.docx"}}, Path("/srv/pfmp/pfmp.toml"))
    assert s.convention_template == Path("/srv/pfmp/modele.docx")
    with pytest.raises(ValidationFailed) as exc:
        parse_settings({"conventions": {"modele": "x.docx"}})
    assert "conventions.modele" in str(exc.value.errors[0])


def test_cli_uses_the_schools_model_unless_another_is_named(db_path, tmp_path):
    _store(db_path, "ecole.docx")
    _model(db_path.parent / "ecole.docx")
    out = tmp_path / "out"
    done = run_pfmp("--db", str(db_path), "paper", "convention", "p1", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert _texts(out) == ["MODÈLE DU LYCÉE — Zoé CŒURDACIER chez Mairie de Lyon"]
    other = run_pfmp("--db", str(db_path), "paper", "convention", "p1", "-o", str(tmp_path / "o2"),
                     "--template", str(_model(tmp_path / "autre.docx", " (AUTRE)")))
    assert other.returncode == 0 and _texts(tmp_path / "o2")[0].endswith("(AUTRE)")


def test_an_unknown_field_in_the_schools_model_writes_nothing(db_path, tmp_path):
    _store(db_path, "ecole.docx")
    _model(db_path.parent / "ecole.docx", " {{ eleve.nom_de_naissance }}")
    out = tmp_path / "out"
    done = run_pfmp("--db", str(db_path), "paper", "convention", "--period", "pe1", "-o", str(out))
    assert done.returncode == 2
    assert "champ inconnu « eleve.nom_de_naissance »" in done.stderr
    assert not out.exists()


def test_a_missing_model_names_the_setting(db_path, tmp_path):
    _store(db_path, "absent.docx")
    done = run_pfmp("--db", str(db_path), "paper", "convention", "p1", "-o", str(tmp_path / "out"))
    assert done.returncode == 2 and "conventions.template" in done.stderr and "absent.docx" in done.stderr


async def test_the_tui_fills_the_schools_model(db_path, tmp_path):
    repo = _store(db_path, "ecole.docx")
    _model(db_path.parent / "ecole.docx")
    app = PfmpApp(repo, user="mdurand", exports_dir=tmp_path / "exports", poll_interval=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_target(Placing("pe1"))
        await settle(pilot, lambda: isinstance(app.screen, PlacingScreen))
        entries = {title: run for title, _, run in app.screen.palette_entries()}
        entries["Conventions DOCX de toute la période"]()
        await app.workers.wait_for_complete()
        await settle(pilot)
    assert _texts(tmp_path / "exports") == ["MODÈLE DU LYCÉE — Zoé CŒURDACIER chez Mairie de Lyon"]
