"""Roles (issue 16): one rule for the CLI, the TUI and the Python API, checked at the commit.

The tests run as one Unix login (ME); « chef » is another coordinator, whose login
is stood in for (monkeypatch) only to set up the user list.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest

from pfmp_tui.domain import roles
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.domain.model import Attestation, Convention
from pfmp_tui.services import access, journal
from pfmp_tui.store import audit
from pfmp_tui.store.audit import PermissionDenied
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import minimal_document, run_pfmp, store_bytes

ME = audit.current_login()


def _store_as(db: Path, monkeypatch, my_role: str, teacher_of_p1: str | None = None) -> Repository:
    """The minimal document, created by « chef »; ME gets `my_role` (None: not listed)."""
    monkeypatch.setattr(audit, "current_login", lambda: "chef")
    repo = Repository(Store(db))
    repo.add_all(parse_document(minimal_document()))
    if teacher_of_p1 is not None:
        p1, rev = repo.get("placements", "p1")
        repo.update("placements", replace(p1, teacher=teacher_of_p1), rev)
    if my_role:
        access.set_role(repo, ME, my_role, must_exist=False)
    monkeypatch.undo()
    return Repository(Store(db))


def test_a_new_store_makes_its_creator_coordination(repo: Repository):
    repo.add_all(parse_document(minimal_document()))
    assert access.users(repo) == {ME: roles.COORDINATION}


def test_a_store_without_user_list_lets_everyone_coordinate(repo: Repository, monkeypatch):
    repo.add_all(parse_document(minimal_document()))
    doc = orjson.loads(repo.store.path.read_bytes())
    del doc["users"]  # a store from before the user list
    repo.store.path.write_bytes(orjson.dumps(doc))
    monkeypatch.setattr(audit, "current_login", lambda: "quelquun")
    assert access.role(repo) == roles.COORDINATION
    p1, rev = repo.get("placements", "p1")
    repo.update("placements", replace(p1, teacher="x"), rev)
    assert journal.entries(repo)[-1]["user"] == "quelquun"


def test_professeur_is_refused_a_placement_change_through_the_cli(tmp_path: Path, monkeypatch):
    db = tmp_path / "db" / "pfmp.json"
    _store_as(db, monkeypatch, roles.PROFESSEUR, teacher_of_p1=ME)
    before = store_bytes(db.parent)
    r = run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1", "--teacher", "autre")
    assert r.returncode == 1
    assert "demande le rôle coordination" in r.stderr and "rôle professeur" in r.stderr
    assert "Rien n'a été modifié" in r.stderr
    assert store_bytes(db.parent) == before
    r = run_pfmp("--db", str(db), "period", "add", "--cohort", "c1", "--label", "X", "--start", "2026-03-02",
                 "--end", "2026-03-20")
    assert r.returncode == 1 and "coordination" in r.stderr
    assert store_bytes(db.parent) == before


def test_professeur_edits_assessments_and_attestation_of_their_placements_only(tmp_path: Path, monkeypatch):
    db = tmp_path / "db" / "pfmp.json"
    repo = _store_as(db, monkeypatch, roles.PROFESSEUR, teacher_of_p1=ME)
    items, rev = repo.sheet("p1")
    repo.set_assessments("p1", [replace(items[0], level=4)], rev)  # their own placement: allowed
    p1, rev = repo.get("placements", "p1")
    att = Attestation(date(2026, 2, 3), True, 19, "Accueil")
    repo.update("placements", replace(p1, attestation=att), rev)
    assert journal.entries(repo)[-1]["user"] == ME
    p1, rev = repo.get("placements", "p1")
    with pytest.raises(PermissionDenied) as exc:
        repo.update("placements", replace(p1, convention=Convention("draft", None)), rev)
    assert "coordination" in str(exc.value)
    # Not their placement any more: the grid is refused too.
    monkeypatch.setattr(audit, "current_login", lambda: "chef")
    repo.update("placements", replace(p1, teacher="autre"), rev)
    monkeypatch.undo()
    items, rev = repo.sheet("p1")
    with pytest.raises(PermissionDenied) as exc:
        repo.set_assessments("p1", [replace(items[0], level=1)], rev)
    assert "professeur (référent de ce stage) ou coordination" in str(exc.value)


def test_lecture_changes_nothing_and_cannot_export(tmp_path: Path, monkeypatch):
    db = tmp_path / "db" / "pfmp.json"
    _store_as(db, monkeypatch, roles.LECTURE)
    before = store_bytes(db.parent)
    assert run_pfmp("--db", str(db), "check").returncode == 0  # reading is fine
    r = run_pfmp("--db", str(db), "export", "missing-attestations", "-o", str(tmp_path / "x.csv"))
    assert r.returncode == 1 and "administration" in r.stderr and "rôle lecture" in r.stderr
    assert not (tmp_path / "x.csv").exists()
    r = run_pfmp("--db", str(db), "users", "add", "moi", "coordination")
    assert r.returncode == 1 and "coordination" in r.stderr
    assert store_bytes(db.parent) == before


def test_administration_exports_but_does_not_edit_placements(tmp_path: Path, monkeypatch):
    db = tmp_path / "db" / "pfmp.json"
    _store_as(db, monkeypatch, roles.ADMINISTRATION)
    r = run_pfmp("--db", str(db), "export", "missing-attestations", "-o", str(tmp_path / "x.csv"))
    assert r.returncode == 0, r.stderr
    r = run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1")
    assert r.returncode == 1 and "coordination" in r.stderr


def test_a_login_missing_from_the_list_is_told_how_to_be_added(tmp_path: Path, monkeypatch):
    db = tmp_path / "db" / "pfmp.json"
    _store_as(db, monkeypatch, "")
    r = run_pfmp("--db", str(db), "assign", "p1", "--organisation", "o1")
    assert r.returncode == 1 and "n'est pas dans la liste des utilisateurs" in r.stderr and "pfmp users add" in r.stderr


def test_users_verbs_keep_one_coordinator_and_are_journalled(tmp_path: Path):
    db = tmp_path / "db" / "pfmp.json"
    assert run_pfmp("--db", str(db), "users", "add", "alebrun", "professeur").returncode == 0
    assert run_pfmp("--db", str(db), "users", "set", "alebrun", "administration").returncode == 0
    listed = run_pfmp("--db", str(db), "users", "list").stdout
    assert "alebrun" in listed and "administration" in listed and f"{ME}" in listed
    r = run_pfmp("--db", str(db), "users", "set", ME, "lecture")
    assert r.returncode == 2 and "au moins un utilisateur « coordination »" in r.stderr
    r = run_pfmp("--db", str(db), "users", "add", "alebrun", "lecture")
    assert r.returncode == 2 and "users set" in r.stderr
    assert run_pfmp("--db", str(db), "users", "remove", "alebrun").returncode == 0
    changes = [c["fields"] for e in journal.entries(Repository(Store(db))) for c in e["changes"] if c["kind"] == "users"]
    assert changes == [{"alebrun": [None, "professeur"]}, {"alebrun": ["professeur", "administration"]},
                       {"alebrun": ["administration", None]}]
