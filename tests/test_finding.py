"""Search as you type among organisations and tutors (services/finding.py, issue 15 §3)."""

from __future__ import annotations

from dataclasses import replace

from pfmp_tui.domain.model import Dataset, Organisation, Tutor
from pfmp_tui.services.finding import finder

ORGS = [
    Organisation("o1", "Mairie de Châteaugiron", "21350069300010", None, "35410", "Châteaugiron", "FR",
                 phone="02 99 37 41 69", email="accueil@chateaugiron.fr", representative="Yves Renault"),
    Organisation("o2", "Garage Dupont-Roux", None, None, "14000", "Caen", "FR"),
    Organisation("o3", "Boulangerie du Port", None, None, None, "Vannes", "FR"),
]
TUTORS = [
    Tutor("t1", "o1", "Dubois", "Zoé", email="zoe.dubois@chateaugiron.fr", phone="06 12 34 56 78",
          job_title="Responsable du service paie"),
    Tutor("t2", "o2", "Martin", "Paul", email="paul@garage-dupont.fr"),
    Tutor("t3", "o3", "Le Gall", "Anne", job_title="Gérante"),
    Tutor("t4", "o2", "Dupuis", "Léa"),
]


def ids(records) -> list[str]:
    return [r.id for r in records]


def test_words_start_words_in_any_order_accents_and_case_ignored():
    f = finder(Dataset(organisations=ORGS, tutors=TUTORS))
    assert ids(f.find_tutors("zoe DUB")) == ["t1"]
    assert ids(f.find_tutors("dub zoé")) == ["t1"]
    # Dubois, Dupuis by their name first; then Le Gall (Boulangerie du Port), Martin (Garage Dupont-Roux)
    assert ids(f.find_tutors("du")) == ["t1", "t4", "t3", "t2"]
    assert ids(f.find_tutors("service")) == []  # the function is not searched (« du service » found everyone)
    assert ids(f.find_tutors("ubois")) == []  # a word's start, not its middle


def test_tutors_by_organisation_e_mail_and_phone_digits():
    f = finder(Dataset(organisations=ORGS, tutors=TUTORS))
    assert ids(f.find_tutors("chateaugiron")) == ["t1"]
    assert ids(f.find_tutors("paul@garage")) == ["t2"]
    assert ids(f.find_tutors("0612")) == ["t1"]  # typed without spaces
    assert ids(f.find_tutors("06 12 34")) == ["t1"]
    assert ids(f.find_tutors("garage", organisation_id="o2")) == ["t4", "t2"]  # Dupuis, Martin: sorted by name
    assert ids(f.find_tutors("", organisation_id="o3")) == ["t3"]
    assert ids(f.find_tutors("du", limit=2)) == ["t1", "t4"]


def test_organisations_by_name_town_siret_contacts():
    f = finder(Dataset(organisations=ORGS, tutors=TUTORS))
    assert ids(f.find_organisations("mairie chateau")) == ["o1"]
    assert ids(f.find_organisations("2135")) == ["o1"]
    assert ids(f.find_organisations("renault")) == ["o1"]  # the representative
    assert ids(f.find_organisations("roux")) == ["o2"]  # « Dupont-Roux »: each part is a word
    assert ids(f.find_organisations("", exclude=frozenset({"o1"}))) == ["o3", "o2"]  # Boulangerie, Garage
    assert f.organisation_name("o2") == "Garage Dupont-Roux"


def test_a_new_version_of_the_lists_is_searched_not_the_old_one():
    data = Dataset(organisations=list(ORGS), tutors=list(TUTORS))
    assert finder(data) is finder(data)  # same lists: built once
    renamed = Dataset(organisations=data.organisations, tutors=[replace(TUTORS[0], last_name="Kerjean"), *TUTORS[1:]])
    assert ids(finder(renamed).find_tutors("kerjean")) == ["t1"]
    assert [t.last_name for t in finder(renamed).find_tutors("zoe")] == ["Kerjean"]
