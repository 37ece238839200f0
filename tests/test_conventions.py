"""Issue 15 §1: the model's convention extensions, and conventions filled from a DOCX
model (docxtpl), read back with python-docx; a minor's hours refused on entry."""

from __future__ import annotations

import copy
import json
import stat
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from pfmp_tui.domain.convention_fields import FIELD_NAMES, SchoolInfo, convention_context
from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document, to_document
from pfmp_tui.services.conventions import generate
from pfmp_tui.services.convention_terms import set_terms
from pfmp_tui.services.settings import parse_settings
from tests.conftest import minimal_document, run_pfmp

TODAY = date(2025, 12, 1)


def extended_document() -> dict:
    doc = minimal_document()
    doc["students"][0]["legal_representatives"] = [
        {"last_name": "Cœurdacier", "first_name": "Hélène", "relation": "mère", "email": "helene@example.fr",
         "phone": "06 12 34 56 78", "address": "3 rue des Lilas, 69003 Lyon"}]
    doc["organisations"][0].update({"phone": "04 72 10 30 30", "email": "contact@lyon.fr", "website": "www.lyon.fr",
                                    "notes": "Entrée par la rue de la République", "representative": "Grégory Doucet",
                                    "representative_title": "Maire"})
    p = doc["placements"][0]
    p["convention"].update({"generated_on": "2025-11-20", "sent_on": "2025-11-21",
                            "signatures": {"school": "2025-11-25", "organisation": "2025-11-28"}})
    p["terms"] = {"daily_hours": 7, "weekly_hours": 35, "schedule": "9 h – 12 h, 13 h – 17 h",
                  "competences": ["2.1.1", "1.1.1"], "activities": "Accueil & courrier <urgent>",
                  "gratification": "aucune", "travel": "carte de bus", "meals": "cantine municipale",
                  "insurance": "SMACL"}
    p["visits"] = [{"id": "v1", "planned_on": "2026-01-15", "done_on": None, "teacher": "mdurand",
                    "kind": "sur_place", "report": None}]
    p["reminders"] = [{"sent_at": "2026-02-05T09:00:00", "document": "attestation", "to": "a.petit@lyon.fr",
                       "tutor_id": "t1"}]
    return doc


def test_v1_document_round_trips_without_extension_keys():
    doc = minimal_document()
    assert to_document(parse_document(doc)) == to_document(parse_document(copy.deepcopy(doc)))
    out = to_document(parse_document(doc))
    assert "terms" not in out["placements"][0] and "visits" not in out["placements"][0]
    assert set(out["placements"][0]["convention"]) == {"status", "signed_on"}
    assert "phone" not in out["organisations"][0] and "legal_representatives" not in out["students"][0]


def test_extensions_round_trip_and_sort_competences():
    doc = extended_document()
    data = parse_document(doc)
    out = to_document(data)
    assert out["placements"][0]["terms"]["competences"] == ["1.1.1", "2.1.1"]
    assert out["placements"][0]["convention"]["signatures"] == {"school": "2025-11-25", "organisation": "2025-11-28"}
    assert to_document(parse_document(out)) == out
    assert data.placements[0].visits[0].planned_on == date(2026, 1, 15)


def test_extensions_survive_the_store(repo):
    data = parse_document(extended_document())
    repo.add_all(data, replace=True)
    assert to_document(repo.dataset()) == to_document(data)


@pytest.mark.parametrize("path, value, where", [
    (("placements", 0, "terms", "competences"), ["9.9.9"], "placements[0].terms.competences[0]"),
    (("placements", 0, "visits", 0, "kind"), "en_avion", "placements[0].visits[0].kind"),
    (("placements", 0, "reminders", 0, "sent_at"), "2026-02-05", "placements[0].reminders[0].sent_at"),
    (("organisations", 0, "website"), "pas un site", "organisations[0].website"),
    (("students", 0, "legal_representatives", 0, "email"), "pas@", "students[0].legal_representatives[0].email"),
])
def test_bad_extension_values_are_named(path, value, where):
    doc = extended_document()
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationFailed) as exc:
        parse_document(doc)
    assert [e.path for e in exc.value.errors] == [where]


def test_minor_hours_refused_on_load_and_in_the_store(repo):
    doc = extended_document()  # Zoé, born 2009-03-02, is 16 in January 2026
    doc["placements"][0]["terms"].update({"daily_hours": 9, "weekly_hours": 40, "night_work": True})
    with pytest.raises(ValidationFailed) as exc:
        parse_document(doc)
    assert sorted(e.path for e in exc.value.errors) == [
        "placements[0].terms.daily_hours", "placements[0].terms.night_work", "placements[0].terms.weekly_hours"]
    assert "8 h" in str(exc.value)
    repo.add_all(parse_document(extended_document()), replace=True)
    with pytest.raises(ValidationFailed):
        set_terms(repo, "p1", {"daily_hours": 8.5})
    assert repo.dataset().placements[0].terms.daily_hours == 7
    saved = set_terms(repo, "p1", {"daily_hours": 8, "schedule": None})
    assert saved.terms.daily_hours == 8 and saved.terms.schedule is None
    # An adult may work 9 h a day (the convention says so): Léo has no birth date known.


def test_every_context_field_is_listed():
    data = parse_document(extended_document())
    ctx = convention_context(data, data.placements[0], SchoolInfo(name="Lycée"), None, TODAY)
    seen: set[str] = set()

    def walk(value, prefix):
        if isinstance(value, dict):
            for k, v in value.items():
                name = f"{prefix}.{k}" if prefix else k
                if not isinstance(v, dict):  # groups (« eleve ») are not fields themselves
                    seen.add(name)
                walk(v, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, f"{prefix}[]")

    walk(ctx, "")
    assert seen == FIELD_NAMES


def _text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


SETTINGS = parse_settings({"school": {"name": "Lycée Jean-Macé", "uai": "0690001A", "head": "Mme Claire Martin",
                                      "head_title": "Proviseure"},
                           "teachers": {"mdurand": {"name": "Marc Durand", "email": "m.durand@lycee.fr"}}})


def test_default_template_filled_and_read_back(repo, tmp_path):
    repo.add_all(parse_document(extended_document()), replace=True)
    out = generate(repo, SETTINGS, placement_id="p1", out_dir=tmp_path / "conv", today=TODAY)
    assert len(out) == 1
    path = out[0].path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = _text(path)
    for expected in ("Lycée Jean-Macé", "0690001A", "Mme Claire Martin", "Mairie de Lyon", "21690123100011",
                     "Grégory Doucet", "CŒURDACIER Zoé", "02/03/2009", "Hélène Cœurdacier (mère)",
                     "Du 05/01/2026 au 30/01/2026 : 20 jours ouvrés", "140 heures", "7 heures par jour, 35 heures",
                     "Anne Petit", "Marc Durand", "Accueil & courrier <urgent>", "1.1.1",
                     "Identifier les caractéristiques de la demande", "aucune", "carte de bus", "SMACL",
                     "ne peut travailler plus de 8 heures"):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
    # The convention is now « generated ».
    assert repo.dataset().placements[0].convention.generated_on == TODAY


def _custom_template(path: Path, *paragraphs: str) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)
    return path


def test_custom_template_and_unknown_fields(repo, tmp_path):
    repo.add_all(parse_document(extended_document()), replace=True)
    good = _custom_template(tmp_path / "ecole.docx", "Convention de {{ eleve.prenom }} {{ eleve.nom }} chez {{ organisme.nom }}",
                            "{%p for r in eleve.representants %}", "Représentant : {{ r.nom_complet }}", "{%p endfor %}")
    out = generate(repo, SETTINGS, period_id="pe1", template=good, out_dir=tmp_path / "a", today=TODAY)
    assert _text(out[0].path).splitlines() == ["Convention de Zoé CŒURDACIER chez Mairie de Lyon",
                                               "Représentant : Hélène Cœurdacier"]
    bad = _custom_template(tmp_path / "faux.docx", "{{ eleve.nom_de_jeune_fille }} {{ ecole.nom }}",
                           "{% for r in eleve.representants %}{{ r.age }}{% endfor %}")
    with pytest.raises(ValidationFailed) as exc:
        generate(repo, SETTINGS, placement_id="p1", template=bad, out_dir=tmp_path / "b", today=TODAY)
    assert "ecole" in str(exc.value)
    assert not (tmp_path / "b").exists()
    attr_only = _custom_template(tmp_path / "faux2.docx", "{{ eleve.nom_de_jeune_fille }}",
                                 "{% for r in eleve.representants %}{{ r.age }}{% endfor %}")
    with pytest.raises(ValidationFailed) as exc:
        generate(repo, SETTINGS, placement_id="p1", template=attr_only, out_dir=tmp_path / "c", today=TODAY)
    assert {e.message.split("« ")[1].split(" »")[0] for e in exc.value.errors} == {
        "eleve.nom_de_jeune_fille", "eleve.representants[].age"}
    assert not (tmp_path / "c").exists()


def test_cli_convention_for_a_period(tmp_path):
    r = run_pfmp("demo", "--students", "30", "--seed", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads(run_pfmp("dump", cwd=tmp_path).stdout)
    period = doc["periods"][0]["id"]
    expected = sum(1 for p in doc["placements"] if p["period_id"] == period)
    r = run_pfmp("paper", "convention", "--period", period, "-o", "conv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    files = sorted((tmp_path / "conv").glob("*.docx"))
    assert len(files) == expected > 1
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    r = run_pfmp("paper", "convention", "--fields", cwd=tmp_path)
    assert r.returncode == 0 and "eleve.representants[].lien" in r.stdout
    r = run_pfmp("paper", "convention", "--write-template", "modele.docx", cwd=tmp_path)
    assert r.returncode == 0 and "{{ eleve.nom }}" in _text(tmp_path / "modele.docx")
    (tmp_path / "pas-un-docx.docx").write_text("bonjour")
    r = run_pfmp("paper", "convention", doc["placements"][0]["id"], "--template", "pas-un-docx.docx", cwd=tmp_path)
    assert r.returncode == 2 and "document Word" in r.stderr
