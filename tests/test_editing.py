"""Editing use cases behind the TUI forms: French-typed values in, validated records saved.

A form and `pfmp load` give the same message for the same bad value, errors come back
under the field that caused them, and nothing is saved unless everything is valid.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from pfmp_tui.domain.errors import ValidationFailed
from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.services import editing
from pfmp_tui.services.editing import Conflict, FormErrors
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.conftest import minimal_document, store_bytes


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    repo.add_all(parse_document(minimal_document()))
    return repo


def placement_values(**changes) -> dict:
    values = editing.initial_values("placements")
    values.update({
        "organisation_id": "o1", "tutor_id": "t1", "teacher": "mdurand",
        "start": "05/10/2026", "end": "30/10/2026", "convention.status": "signed",
        "convention.signed_on": "01/09/2026",
    })
    values.update(changes)
    return values


def errors_of(fn, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(FormErrors) as info:
        fn(*args, **kwargs)
    return info.value.errors


def test_new_placement_from_french_dates(loaded: Repository):
    saved = editing.save(loaded, "placements", placement_values(), context={"student_id": "s1"})
    record, rev = loaded.get("placements", saved.record.id)
    assert (record.start, record.end) == (date(2026, 10, 5), date(2026, 10, 30))
    assert record.convention.signed_on == date(2026, 9, 1)
    assert record.student_id == "s1" and record.attestation is None and rev == 1 and saved.created


def test_bad_date_is_refused_under_its_field_and_nothing_saved(loaded: Repository, db_path):
    before = store_bytes(db_path.parent)
    errors = errors_of(editing.save, loaded, "placements", placement_values(start="31/02/2026"),
                       context={"student_id": "s1"})
    assert errors == {"start": ["date invalide « 31/02/2026 »"]}
    assert store_bytes(db_path.parent) == before


def test_every_bad_field_is_reported_at_once(loaded: Repository):
    errors = errors_of(editing.build, "placements",
                       placement_values(start="demain", end="", organisation_id=None),
                       context={"student_id": "s1"})
    assert errors["start"] == ["date invalide « demain » (attendu JJ/MM/AAAA)"]
    assert errors["end"] == [editing.EMPTY]
    assert errors["organisation_id"] == [editing.EMPTY]


def test_end_before_start_uses_the_domain_message(loaded: Repository):
    errors = errors_of(editing.build, "placements", placement_values(start="30/10/2026", end="05/10/2026"),
                       context={"student_id": "s1"})
    assert errors == {"end": ["la fin (05/10/2026) précède le début (30/10/2026)"]}


def test_bad_siret_gives_the_same_message_as_load(loaded: Repository, db_path):
    doc = minimal_document()
    doc["organisations"][0]["siret"] = "12345678901234"
    with pytest.raises(ValidationFailed) as info:
        parse_document(doc)
    (load_error,) = info.value.errors
    before = store_bytes(db_path.parent)
    values = editing.initial_values("organisations")
    values.update(name="Boulangerie Ravel", siret="123 456 789 01234", city="Lyon")
    errors = errors_of(editing.save, loaded, "organisations", values)
    assert errors["siret"][0].startswith("SIRET invalide")
    assert load_error.message.split("»", 1)[1] == errors["siret"][0].split("»", 1)[1]  # same reason (Luhn)
    assert store_bytes(db_path.parent) == before


def test_good_siret_with_spaces_is_stored_as_digits(loaded: Repository):
    values = editing.initial_values("organisations")
    values.update(name="Mairie", siret="216 901 231 00011", country="fr")
    saved = editing.save(loaded, "organisations", values)
    assert saved.record.siret == "21690123100011" and saved.record.country == "FR"


def test_attestation_days_cannot_exceed_the_placement(loaded: Repository):
    placement, rev = loaded.get("placements", "p1")
    values = editing.initial_values("attestation", placement)
    values["attestation.days_completed"] = "25"
    errors = errors_of(editing.save, loaded, "attestation", values, base=placement, rev=rev)
    assert errors == {"attestation.days_completed": ["25 jours dépassent les 20 jours ouvrés de la période"]}


def test_attestation_saved_on_its_placement(loaded: Repository):
    saved = editing.save(loaded, "placements", placement_values(), context={"student_id": "s1"})
    values = editing.attestation_defaults(saved.record, date(2026, 11, 2))
    assert values["attestation.received_on"] == "02/11/2026"
    assert values["attestation.days_completed"] == "20"  # the placement's working days
    assert values["attestation.signed_by_tutor"] is True  # most come back signed: ticked, and the box says so
    values.update({"attestation.activities": "Accueil téléphonique"})
    again = editing.save(loaded, "attestation", values, base=saved.record, rev=saved.rev)
    record, rev = loaded.get("placements", saved.record.id)
    assert record.attestation.days_completed == 20 and record.attestation.signed_by_tutor
    assert record.attestation.activities == "Accueil téléphonique"
    assert record.organisation_id == "o1" and rev == again.rev == 2  # the rest of the placement kept


def test_an_attestation_emptied_in_its_form_is_removed(loaded: Repository):
    """R11: an attestation recorded by mistake can be taken back; a half-empty one is refused."""
    saved = editing.save(loaded, "placements", placement_values(), context={"student_id": "s1"})
    values = editing.attestation_defaults(saved.record, date(2026, 11, 2))
    first = editing.save(loaded, "attestation", values, base=saved.record, rev=saved.rev)
    half = dict(values, **{"attestation.received_on": ""})
    errors = errors_of(editing.save, loaded, "attestation", half, base=first.record, rev=first.rev)
    assert errors == {"attestation.received_on": [editing.EMPTY]}
    blank = {key: ("" if not isinstance(value, bool) else value) for key, value in values.items()}
    editing.save(loaded, "attestation", blank, base=first.record, rev=first.rev)
    record, _ = loaded.get("placements", saved.record.id)
    assert record.attestation is None and record.organisation_id == "o1"


def test_not_a_number_uses_the_domain_message(loaded: Repository):
    placement, rev = loaded.get("placements", "p1")
    values = editing.initial_values("attestation", placement)
    values["attestation.days_completed"] = "quatre"
    errors = errors_of(editing.build, "attestation", values, base=placement)
    assert errors == {"attestation.days_completed": ["nombre entier attendu, reçu « quatre »"]}


def test_derogation_needs_its_reason(loaded: Repository):
    student, rev = loaded.get("students", "s1")
    errors = errors_of(editing.save, loaded, "derogation",
                       {"derogation.required_days": "80", "derogation.reason": ""}, base=student, rev=rev)
    assert errors == {"derogation.reason": [editing.EMPTY]}
    errors = errors_of(editing.save, loaded, "derogation",
                       {"derogation.required_days": "", "derogation.reason": "décision"}, base=student, rev=rev)
    assert errors == {"derogation.required_days": [editing.EMPTY]}
    saved = editing.save(loaded, "derogation",
                         {"derogation.required_days": "80", "derogation.reason": "Décision du recteur du 02/09/2026"},
                         base=student, rev=rev)
    assert saved.record.derogation.required_days == 80
    cleared = editing.save(loaded, "derogation", {"derogation.required_days": "", "derogation.reason": ""},
                           base=saved.record, rev=saved.rev)
    assert cleared.record.derogation is None


def test_tutor_of_another_organisation_is_refused_by_the_store(loaded: Repository):
    values = editing.initial_values("organisations")
    values.update(name="Autre")
    other = editing.save(loaded, "organisations", values).record
    errors = errors_of(editing.save, loaded, "placements", placement_values(organisation_id=other.id),
                       context={"student_id": "s1"})
    assert list(errors) == ["tutor_id"] and "n'appartient pas" in errors["tutor_id"][0]


def test_new_student_and_cohort(loaded: Repository):
    values = editing.initial_values("cohorts")
    values.update(label="2nde AGOrA 2029", exam_session="2029", dossier_deadline="15/05/2029")
    cohort = editing.save(loaded, "cohorts", values).record
    assert cohort.id == "2nde-agora-2029"
    values = editing.initial_values("students")
    assert values["voie"] == "scolaire" and values["cycle_years"] == 3 and values["positioned"] is False
    values.update(last_name="Ndiaye", first_name="Awa", cohort_id=cohort.id, ine="1234567890b",
                  birth_date="2011-04-30")
    student = editing.save(loaded, "students", values).record
    assert student.ine == "1234567890B" and student.birth_date == date(2011, 4, 30)
    values = editing.initial_values("cohorts")
    values.update(label="2nde AGOrA 2029", exam_session="2029", dossier_deadline="15/05/2029")
    assert editing.save(loaded, "cohorts", values).record.id == "2nde-agora-2029-2"


def test_update_over_a_newer_version_is_a_conflict_and_nothing_is_lost(loaded: Repository, db_path):
    student, rev = loaded.get("students", "s1")
    other = Repository(Store(db_path))  # another session on the same store
    theirs = replace(student, email="zoe.c@example.fr")
    other.update("students", theirs, rev)
    values = editing.initial_values("students", student)
    values["first_name"] = "Zoë"
    with pytest.raises(Conflict) as info:
        editing.save(loaded, "students", values, base=student, rev=rev)
    assert info.value.theirs == theirs and info.value.yours.first_name == "Zoë"
    assert info.value.theirs_rev == rev + 1
    stored, _ = loaded.get("students", "s1")
    assert stored == theirs  # theirs kept, mine not written
    labels = dict(editing.readable("students", info.value.theirs))
    assert labels["Courriel"] == "zoe.c@example.fr" and labels["Voie"] == "scolaire"


def test_update_of_a_deleted_record_is_a_conflict(loaded: Repository, db_path):
    placement, rev = loaded.get("placements", "p1")
    Repository(Store(db_path)).delete("placements", "p1")
    with pytest.raises(Conflict) as info:
        editing.save(loaded, "placements", editing.initial_values("placements", placement), base=placement, rev=rev)
    assert info.value.theirs is None and "supprimé" in str(info.value)
    assert loaded.get("placements", "p1") is None


def test_initial_values_show_french_dates(loaded: Repository):
    placement, _ = loaded.get("placements", "p1")
    values = editing.initial_values("placements", placement)
    assert values["start"] == "05/01/2026" and values["convention.signed_on"] == "01/12/2025"
    assert values["convention.status"] == "signed" and values["tutor_id"] == "t1"


def test_deletion_says_what_goes_with_it(loaded: Repository):
    with pytest.raises(ValidationFailed, match="utilisée par 1 stage"):
        editing.delete(loaded, "organisations", "o1", 1)  # still used: refused, nothing removed
    assert loaded.get("tutors", "t1") is not None
    assert editing.deletion_summary(loaded, "students", "s1") == "1 stage (PFMP), 1 évaluation"
    assert editing.delete(loaded, "students", "s1", 1) == "1 stage (PFMP), 1 évaluation"
    assert loaded.get("placements", "p1") is None
