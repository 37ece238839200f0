"""Issue 15 §2: the preview and the CLI show the tutor's name as a person reads it,
not the RFC 2047 form the wire needs (« =?utf-8?q?Sol=C3=A8ne?= »)."""

from __future__ import annotations

from pfmp_tui.services.reminders import Draft


def _draft(to: str | None) -> Draft:
    return Draft(due=None, to=to, subject="s", body="b", attachments=())  # type: ignore[arg-type]


def test_an_accented_name_is_shown_decoded():
    from email.utils import formataddr

    wire = formataddr(("Solène Traoré", "solene.traore@example.fr"))
    assert "=?utf-8?" in wire  # what Python writes for the header
    assert _draft(wire).shown_to == "Solène Traoré <solene.traore@example.fr>"


def test_plain_and_missing_addresses():
    assert _draft("Anne Petit <a.petit@lyon.fr>").shown_to == "Anne Petit <a.petit@lyon.fr>"
    assert _draft("a.petit@lyon.fr").shown_to == "a.petit@lyon.fr"
    assert _draft(None).shown_to == "—"


def test_a_message_that_cannot_be_sent_names_its_learners_not_ids():
    from pfmp_tui.domain.interchange import parse_document
    from pfmp_tui.domain.reminders import due
    from pfmp_tui.services import reminders
    from tests.test_reminders import AS_OF, _school_document, _settings

    data = parse_document(_school_document())
    settings = _settings(2525)
    drafts = reminders.compose(data, settings, due(data, AS_OF), attach=False)
    [blocked] = [d for d in drafts if d.problem]
    block = reminders.preview_block(blocked)
    assert block.startswith("NON ENVOYABLE : le tuteur Courriel Sans n'a pas d'adresse")
    assert "  - Inès BENALI (Tle AGOrA), PFMP du 05/01/2026 au 09/01/2026" in block
    assert "p3" not in block
