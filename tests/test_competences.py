import dataclasses

import pytest

from pfmp_tui.domain import competences as mod
from pfmp_tui.domain.competences import (
    BLOCS,
    COMPETENCE_CODES,
    COMPETENCES,
    LEVELS,
    activity,
    competence,
)

EXPECTED_CODES = [
    f"{a}.{n}"
    for a, count in [
        ("1.1", 4), ("1.2", 4), ("1.3", 4),
        ("2.1", 5), ("2.2", 6), ("2.3", 2),
        ("3.1", 3), ("3.2", 5), ("3.3", 4),
    ]
    for n in range(1, count + 1)
]


def test_37_competences_in_code_order():
    assert len(COMPETENCES) == 37
    assert [c.code for c in COMPETENCES] == EXPECTED_CODES
    assert COMPETENCE_CODES == frozenset(EXPECTED_CODES)


def test_count_per_bloc():
    counts = {b.number: sum(len(a.competences) for a in b.activities) for b in BLOCS}
    assert counts == {1: 12, 2: 13, 3: 12}
    assert [sum(1 for c in COMPETENCES if c.bloc == n) for n in (1, 2, 3)] == [12, 13, 12]


def test_blocs_units_and_exams():
    assert [(b.number, b.unit, b.exam) for b in BLOCS] == [
        (1, "U31", "E31"),
        (2, "U2", "E2"),
        (3, "U32", "E32"),
    ]
    assert BLOCS[0].label == "Gérer des relations avec les clients, les usagers et les adhérents"
    assert BLOCS[2].label == "Administrer le personnel"


def test_structure_is_consistent():
    for b in BLOCS:
        for a in b.activities:
            assert a.bloc == b.number
            assert a.code.startswith(f"{b.number}.")
            assert activity(a.code) is a
            for c in a.competences:
                assert c.bloc == b.number
                assert c.activity == a.code
                assert c.code.startswith(a.code + ".")
                assert competence(c.code) is c


def test_every_competence_has_indicators():
    for c in COMPETENCES:
        assert isinstance(c.indicators, tuple)
        assert len(c.indicators) >= 1, c.code
        for text in c.indicators:
            assert isinstance(text, str) and text.strip() == text and text
            assert "\n" not in text
            assert not text.endswith(".")


def test_labels_capitalised_and_clean():
    for c in COMPETENCES:
        assert c.label[0].isupper(), c.code
        assert "’" not in c.label
        assert "\n" not in c.label


@pytest.mark.parametrize(
    "code, label",
    [
        ("1.1.1", "Identifier les caractéristiques de la demande"),
        ("1.2.1", "Appliquer les procédures internes de traitement des relations « clients »"),
        ("2.2.1", "Établir un état de rapprochement"),
        ("2.2.4", "Déterminer les éléments nécessaires à l'élaboration de la déclaration de TVA"),
        ("2.3.2", "Actualiser et diffuser l'information interne sur le support adéquat"),
        ("3.2.3", "Contrôler les états de frais"),
        ("3.3.2", "Mettre en œuvre et suivre le résultat des actions sociales et culturelles"),
        ("3.3.4", "Rédiger des écrits professionnels en lien avec l'activité sociale de l'organisation"),
    ],
)
def test_sampled_labels(code, label):
    assert competence(code).label == label


def test_sampled_indicators():
    assert "Pertinence de la réponse apportée à la demande" in competence("1.1.2").indicators
    assert (
        "Pertinence et exactitude des éléments retenus pour la déclaration de TVA"
        in competence("2.2.4").indicators
    )
    assert (
        "Exactitude des éléments retenus pour la préparation des bulletins de paie"
        in competence("3.2.4").indicators
    )


def test_activity_labels():
    assert activity("1.1").label == "Préparation et prise en charge de la relation"
    assert [c.code for c in activity("2.3").competences] == ["2.3.1", "2.3.2"]


def test_unknown_codes_raise_keyerror():
    with pytest.raises(KeyError):
        competence("9.9.9")
    with pytest.raises(KeyError):
        activity("9.9")


def test_levels():
    assert LEVELS == {
        1: "non acquis",
        2: "en cours d'acquisition",
        3: "acquis",
        4: "maîtrisé",
        None: "non évalué",
    }


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        competence("1.1.1").label = "x"  # type: ignore[misc]


def test_pure_stdlib():
    import ast
    import sys

    tree = ast.parse(open(mod.__file__, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [n.name for n in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top == "__future__" or top in sys.stdlib_module_names, name
