"""The interchange document (CONTRACT.md): every problem reported with its JSON path."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document, to_document
from tests.conftest import minimal_document


def errors_of(doc) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        parse_document(doc)
    return [str(e) for e in info.value.errors]


def test_minimal_document_round_trips_exactly():
    doc = minimal_document()
    assert to_document(parse_document(doc)) == doc
    # Missing optional lists are accepted as empty; dump writes them all.
    small = {"format": "pfmp-interchange", "version": 1}
    assert to_document(parse_document(small))["students"] == []


def test_every_bad_field_is_reported_with_its_path():
    doc = minimal_document()
    doc["students"][1]["birth_date"] = "2026-13-01"
    doc["students"][0]["voie"] = "alternance"
    doc["organisations"][0]["siret"] = "21690123100012"
    doc["organisations"][0]["country"] = "France"
    doc["tutors"][0]["email"] = "pas-une-adresse"
    doc["placements"][0]["convention"]["status"] = "ok"
    doc["assessments"][0]["competence"] = "4.1.1"
    doc["assessments"][0]["level"] = 5
    errors = errors_of(doc)
    assert "students[1].birth_date: date invalide « 2026-13-01 » (attendu AAAA-MM-JJ)" not in errors  # well-formed but impossible
    assert "students[1].birth_date: date invalide « 2026-13-01 »" in errors
    paths = {e.split(":")[0] for e in errors}
    assert paths == {
        "students[1].birth_date",
        "students[0].voie",
        "organisations[0].siret",
        "organisations[0].country",
        "tutors[0].email",
        "placements[0].convention.status",
        "assessments[0].competence",
        "assessments[0].level",
    }


def test_unknown_keys_are_errors():
    doc = minimal_document()
    doc["extra"] = 1
    doc["students"][0]["nickname"] = "Zozo"
    doc["placements"][0]["attestation"]["note"] = "x"
    errors = errors_of(doc)
    assert "extra: clé inconnue" in errors
    assert "students[0].nickname: clé inconnue" in errors
    assert "placements[0].attestation.note: clé inconnue" in errors


def test_required_keys():
    doc = minimal_document()
    del doc["students"][0]["last_name"]
    del doc["placements"][0]["convention"]
    errors = errors_of(doc)
    assert "students[0].last_name: clé obligatoire absente" in errors
    assert "placements[0].convention: clé obligatoire absente" in errors


def test_format_and_version():
    doc = minimal_document()
    doc["format"] = "autre"
    doc["version"] = 2
    errors = errors_of(doc)
    assert any(e.startswith("format:") for e in errors)
    assert any(e.startswith("version:") and "plus récente" in e for e in errors)
    assert errors_of([]) == ["le document doit être un objet JSON"]


def test_duplicate_ids_and_dangling_references():
    doc = minimal_document()
    doc["students"][1]["id"] = "s1"
    errors = errors_of(doc)
    assert any(e.startswith("students[1].id:") and "double" in e for e in errors)

    doc = minimal_document()
    doc["placements"][0]["organisation_id"] = "o-missing"
    doc["assessments"][0]["placement_id"] = "p-missing"
    errors = errors_of(doc)
    assert any(e.startswith("placements[0].organisation_id: référence inconnue") for e in errors)
    assert any(e.startswith("assessments[0].placement_id: référence inconnue") for e in errors)


def test_tutor_must_belong_to_the_placement_organisation():
    doc = minimal_document()
    doc["organisations"].append(dict(doc["organisations"][0], id="o2", siret=None))
    doc["placements"][0]["organisation_id"] = "o2"
    assert any(e.startswith("placements[0].tutor_id:") for e in errors_of(doc))


def test_dates_order_and_attested_days_bound():
    doc = minimal_document()
    doc["periods"][0]["end"] = "2025-12-31"
    doc["placements"][0]["attestation"]["days_completed"] = 21  # the placement has 20 working days
    errors = errors_of(doc)
    assert any(e.startswith("periods[0].end: la fin") for e in errors)
    assert any(e.startswith("placements[0].attestation.days_completed:") and "20 jours ouvrés" in e for e in errors)
    doc = minimal_document()
    doc["placements"][0]["attestation"]["days_completed"] = -1
    assert any(e.startswith("placements[0].attestation.days_completed:") for e in errors_of(doc))


def test_types_are_strict():
    doc = minimal_document()
    doc["students"][0]["positioned"] = 0
    doc["students"][0]["cycle_years"] = "3"
    doc["cohorts"][0]["exam_session"] = "2027"
    doc["students"][1]["derogation"] = {"required_days": 60}
    errors = errors_of(doc)
    assert any(e.startswith("students[0].positioned: booléen attendu") for e in errors)
    assert any(e.startswith("students[0].cycle_years:") for e in errors)
    assert any(e.startswith("cohorts[0].exam_session:") for e in errors)
    assert "students[1].derogation.reason: clé obligatoire absente" in errors


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=20)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    last_names=st.lists(names, min_size=1, max_size=5),
    level=st.sampled_from([1, 2, 3, 4, None]),
    days=st.integers(min_value=0, max_value=20),
    comment=st.one_of(st.none(), names),
)
def test_round_trip_property(last_names, level, days, comment):
    """parse → to_document is the identity on valid documents (dump → load → dump)."""
    doc = minimal_document()
    base = doc["students"][0]
    doc["students"] = [dict(copy.deepcopy(base), id=f"s{i}", last_name=n) for i, n in enumerate(last_names)]
    doc["work_certificates"] = []
    doc["placements"][0]["student_id"] = "s0"
    doc["placements"][0]["attestation"]["days_completed"] = days
    doc["assessments"][0]["level"] = level
    doc["assessments"][0]["comment"] = comment
    out = to_document(parse_document(json.loads(json.dumps(doc))))
    assert to_document(parse_document(out)) == out
    assert [s["last_name"] for s in out["students"]] == last_names


def test_appreciations_extension_is_optional_and_validated():
    """The `appreciations` extension: absent from v1 documents, checked like the rest when present."""
    doc = minimal_document()
    assert "appreciations" not in to_document(parse_document(doc))
    doc["appreciations"] = [{"id": "n1", "placement_id": "p1", "assessor": "tutor", "date": "2026-01-30",
                             "comment": "Très bonne période"}]
    assert to_document(parse_document(doc)) == doc
    doc["appreciations"][0].update(assessor="parent", placement_id="nope")
    errors = errors_of(doc)
    assert any(e.startswith("appreciations[0].assessor:") for e in errors)
    doc["appreciations"][0]["assessor"] = "teacher"
    assert any(e.startswith("appreciations[0].placement_id: référence inconnue") for e in errors_of(doc))
