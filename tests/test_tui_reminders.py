"""Issue 15 §2 in the TUI: reminders to tutors previewed as `pfmp remind --dry-run` shows
them, then sent after a confirmation to a real SMTP server (aiosmtpd on 127.0.0.1, in the
test process), each result shown per message and the history recorded in the files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from textual.widgets import DataTable, Input, Static

from pfmp_tui.domain.interchange import parse_document
from pfmp_tui.services import reminders
from pfmp_tui.services.settings import load_settings
from pfmp_tui.store import audit
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from pfmp_tui.tui.app import PfmpApp
from pfmp_tui.tui.screens.candidate import CandidateScreen
from pfmp_tui.tui.screens.dialogs import ConfirmScreen
from pfmp_tui.tui.screens.reminders import RemindersScreen
from pfmp_tui.tui.targets import Reminders
from tests.conftest import run_pfmp
from tests.test_reminders import AS_OF, _free_port, _school_document, smtp  # noqa: F401 - the fixture
from tests.tui_support import settle

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

SETTINGS = """\
[school]
name = "Lycée Jean-Macé"
head = "Mme Claire Martin"

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "PFMP Lycée Jean-Macé <pfmp@lycee.example>"
reply_to = "ddfpt@lycee.example"
timeout = 5

[teachers.mdurand]
name = "Marc Durand"
email = "m.durand@lycee.example"
"""


def _store(db_path: Path, port: int | None, **tutor_changes) -> Repository:
    doc = _school_document()
    for key, value in tutor_changes.items():
        doc["tutors"][0][key] = value
    repo = Repository(Store(db_path))
    repo.add_all(parse_document(doc), replace=True)
    if port is not None:
        (db_path.parent / "pfmp.toml").write_text(SETTINGS.format(port=port), encoding="utf-8")
    return repo


def _app(repo: Repository, tmp_path: Path) -> PfmpApp:
    return PfmpApp(repo, today=AS_OF, user="mdurand", exports_dir=tmp_path / "exports", poll_interval=0)


async def _open(pilot) -> RemindersScreen:
    await settle(pilot)
    await pilot.press("r")  # from the dashboard
    await settle(pilot, lambda: isinstance(pilot.app.screen, RemindersScreen))
    return pilot.app.screen


def _rows(screen: RemindersScreen) -> list[tuple[str, ...]]:
    table = screen.query_one(DataTable)
    return [tuple(str(c).strip() for c in table.get_row_at(i)) for i in range(table.row_count)]


def _message(screen: RemindersScreen) -> str:
    return str(screen.query_one("#rem-message", Static).render())


async def _send(pilot, screen: RemindersScreen) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    await pilot.press("o")
    await settle(pilot, lambda: pilot.app.screen is screen and not screen.sending)


async def test_preview_is_the_dry_run_then_send_records_and_never_twice(tmp_path, db_path, smtp):  # noqa: F811
    inbox, port = smtp
    repo = _store(db_path, port)
    dry_run = run_pfmp("--db", str(db_path), "remind", "--dry-run", "--as-of", AS_OF.isoformat()).stdout
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert _rows(screen) == [
            ("Anne Petit", "BENALI Inès", "conv.", "à envoyer"),
            ("Anne Petit", "CŒURDACIER Zoé", "attest., éval.", "à envoyer"),
            ("Courriel Sans", "BENALI Inès", "attest., éval.", "✗ sans adresse"),
        ]
        summary = str(screen.query_one("#rem-summary", Static).render())
        assert "1 message à envoyer · 1 impossible(s) · serveur 127.0.0.1:" in summary
        # Exactly the dry run's text, for each message (the same preview as the command line).
        first = _message(screen)
        assert first.startswith("À : Anne Petit <a.petit@lyon.fr>\nObjet : Lycée Jean-Macé — PFMP")
        assert first in dry_run
        await pilot.press("down", "down")
        assert _message(screen).startswith("NON ENVOYABLE : le tuteur Courriel Sans n'a pas d'adresse")
        assert _message(screen) in dry_run
        assert inbox.messages == []  # nothing leaves before the confirmation

        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "1 message à 1 tuteur (2 élèves), par 127.0.0.1" in str(app.screen.query_one("#confirm-message").render())
        await pilot.press("n")  # no: nothing sent
        await settle(pilot, lambda: app.screen is screen)
        assert inbox.messages == [] and not screen.sending

        await _send(pilot, screen)
        assert [r[3] for r in _rows(screen)] == ["✓ envoyé", "✓ envoyé", "✗ sans adresse"]
        assert "1 envoyé(s) · aucun échec" in str(screen.query_one("#rem-summary", Static).render())

        [(rcpt, msg)] = inbox.messages
        assert rcpt == ["a.petit@lyon.fr"]
        assert msg["To"] == "Anne Petit <a.petit@lyon.fr>" and msg["From"] == "PFMP Lycée Jean-Macé <pfmp@lycee.example>"
        assert msg["Reply-To"] == "ddfpt@lycee.example" and msg["Auto-Submitted"] == "auto-generated"
        assert msg.get_body(("plain",))["Content-Language"] == "fr"  # the French text says so
        assert msg["Subject"] == "Lycée Jean-Macé — PFMP : convention, attestation de PFMP, évaluation"
        body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert body.startswith("Bonjour Anne Petit,") and "Convention de stage à signer avant le début" in body
        assert "Inès BENALI (Tle AGOrA), du 02/03/2026 au 27/03/2026" in body
        [attachment] = list(msg.iter_attachments())
        assert attachment.get_filename() == "attestation_COEURDACIER-Zoe.pdf"
        pdf = tmp_path / "a.pdf"
        pdf.write_bytes(attachment.get_content())
        assert "Attestation de PFMP" in "".join(p.extract_text() for p in PdfReader(pdf).pages)

        history = {p.id: sorted(r.document for r in p.reminders) for p in repo.dataset().placements}
        assert history == {"p1": ["assessment", "attestation"], "p2": ["convention"], "p3": []}
        assert all(r.to == "a.petit@lyon.fr" and r.sent_on == AS_OF for p in repo.dataset().placements
                   for r in p.reminders)

        # The file shows the history (the app re-read the store after sending).
        await pilot.press("escape")
        app.open_candidate("s1")
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        await settle(pilot, lambda: "Rappels : 20/02/2026" in str(app.screen.query_one("#placement-detail").render()))
        assert "a.petit@lyon.fr" in str(app.screen.query_one("#placement-detail").render())

        # Nothing twice the same day: opened again, only the tutor without an address is left.
        app.pop_screen()
        app.open_target(Reminders())
        await settle(pilot, lambda: isinstance(app.screen, RemindersScreen))
        screen = app.screen
        assert [r[0] for r in _rows(screen)] == ["Courriel Sans"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)  # « Rien à envoyer. »
    assert len(inbox.messages) == 1


async def test_refused_address_is_reported_and_not_recorded(tmp_path, db_path, smtp):  # noqa: F811
    inbox, port = smtp
    repo = _store(db_path, port, email="refuse.moi@lyon.fr")
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await _send(pilot, screen)
        states = [r[3] for r in _rows(screen)]
        assert states[:2] == ["✗ refusé"] * 2
        assert _message(screen).startswith("✗ refusé : adresse refusée par le serveur (refuse.moi@lyon.fr : 550")
        assert "0 envoyé(s) · 1 non envoyé(s)" in str(screen.query_one("#rem-summary", Static).render())
    assert inbox.messages == []
    assert all(not p.reminders for p in repo.dataset().placements)


async def test_server_down_is_reported_and_not_recorded(tmp_path, db_path):
    repo = _store(db_path, _free_port())  # nobody listens there
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await _send(pilot, screen)
        assert [r[3] for r in _rows(screen)][:2] == ["✗ injoignable"] * 2
        assert _message(screen).startswith("✗ serveur injoignable : connexion refusée (serveur arrêté, ou mauvais port ?)")
    assert all(not p.reminders for p in repo.dataset().placements)


async def test_no_smtp_says_what_to_put_in_pfmp_toml(tmp_path, db_path, monkeypatch):
    monkeypatch.delenv("PFMP_CONFIG", raising=False)
    repo = _store(db_path, None)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert "aucun serveur SMTP configuré" in str(screen.query_one("#rem-summary", Static).render())
        assert len(_rows(screen)) == 3  # the preview works without a server
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        text = _message(screen)
        assert text.startswith(f"Aucun serveur de courriel configuré : ajoutez une section [smtp] au fichier "
                               f"{db_path.parent / 'pfmp.toml'}")
        assert 'host = "smtp.lycee.example"' in text and "password_env" in text and "jamais dans le magasin" in text
    assert all(not p.reminders for p in repo.dataset().placements)


async def test_choices_what_and_date(tmp_path, db_path, smtp):  # noqa: F811
    inbox, port = smtp
    repo = _store(db_path, port)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert screen.query_one("#rem-date", Input).value == "20/02/2026"  # today by default
        screen.query_one("#rem-attestations").focus()
        await pilot.press("space", "tab", "space")  # attestations and assessments off
        await settle(pilot, lambda: len(_rows(screen)) == 1)
        assert str(screen.query_one("#rem-attestations").render()).startswith("☐ Attestations")  # not by colour
        assert _rows(screen) == [("Anne Petit", "BENALI Inès", "conv.", "à envoyer")]
        # A day before any is due: nothing; an unreadable day: said, nothing computed.
        date_input = screen.query_one("#rem-date", Input)
        date_input.focus()
        await pilot.press("ctrl+u", *"01/01/2026")
        await settle(pilot, lambda: not _rows(screen))
        assert "Aucun rappel dû au 01/01/2026" in str(screen.query_one("#rem-summary", Static).render())
        await pilot.press("ctrl+u", *"31/02/2026")
        await settle(pilot)
        assert "date invalide" in str(screen.query_one("#rem-summary", Static).render())
        # Another day can be previewed, but only today's reminders are sent.
        await pilot.press("ctrl+u", *"25/02/2026")
        await settle(pilot, lambda: len(_rows(screen)) == 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("date du jour" in n.message for n in app._notifications)
    assert inbox.messages == []


async def test_sent_meanwhile_by_another_session_is_not_sent_twice(tmp_path, db_path, smtp):  # noqa: F811
    inbox, port = smtp
    repo = _store(db_path, port)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        # Another session (the command line) sends the same reminders after this preview.
        settings = load_settings(db_path)
        data = repo.dataset()
        other = reminders.compose(data, settings, reminders.due_for(data, settings, AS_OF, ("conventions", "attestations", "assessments")))
        reminders.send(repo, settings, other, now=lambda: datetime(2026, 2, 20, 9, 0))
        assert len(inbox.messages) == 1
        await _send(pilot, screen)
        assert [r[3] for r in _rows(screen)][:2] == ["– déjà envoyé"] * 2
    assert len(inbox.messages) == 1


async def test_only_coordination_sends(tmp_path, db_path, smtp, monkeypatch):  # noqa: F811
    inbox, port = smtp
    repo = _store(db_path, port)
    with repo.store.write() as tx:
        tx.users = {"cmartin": "coordination", "mdurand": "professeur"}
    monkeypatch.setattr(audit, "current_login", lambda: "mdurand")
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.check_action("reminders", ()) is False  # the dashboard's « r » is hidden
        app.open_target(Reminders())
        await pilot.pause()
        assert not isinstance(app.screen, RemindersScreen)
        assert any("envoyer des rappels aux tuteurs demande le rôle coordination" in n.message
                   for n in app._notifications)
    assert inbox.messages == []


def test_reminders_screen_at_80x24(snap_compare, tmp_path, db_path):
    repo = _store(db_path, 2525)  # the preview needs no server

    async def run_before(pilot) -> None:
        await _open(pilot)
        await settle(pilot, lambda: not pilot.app.screen.busy and len(_rows(pilot.app.screen)) == 3)

    assert snap_compare(_app(repo, tmp_path), terminal_size=(80, 24), run_before=run_before)


async def test_keys_in_a_burst_reach_the_choices_in_order(tmp_path, db_path, smtp):  # noqa: F811
    from tests.test_tui_key_burst import burst, drained

    inbox, port = smtp
    repo = _store(db_path, port)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        screen.query_one("#rem-conventions").focus()
        # One read from the terminal: untick conventions, move to the day, type another one.
        burst(app, "space", "tab", "tab", "tab", "ctrl+u", *"01/03/2026")
        await drained(pilot)
        await settle(pilot, lambda: not screen.busy)
        assert screen.query_one("#rem-date", Input).value == "01/03/2026"
        assert screen.shown[1] == ("attestations", "assessments")
        assert [r[:3] for r in _rows(screen)] == [("Anne Petit", "CŒURDACIER Zoé", "attest., éval."),
                                                  ("Courriel Sans", "BENALI Inès", "attest., éval.")]
    assert inbox.messages == []


async def test_choices_changed_while_sending_keep_the_lines_being_sent(tmp_path, db_path):
    import asyncio

    from aiosmtpd.controller import Controller

    from tests.test_reminders import Inbox

    class SlowInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
            await asyncio.sleep(1.0)  # a slow server: the person ticks something meanwhile
            return await super().handle_DATA(server, session, envelope)

    inbox, port = SlowInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        repo = _store(db_path, port)
        app = _app(repo, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _open(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("o")
            await settle(pilot, lambda: app.screen is screen and screen.sending)
            screen.query_one("#rem-conventions").value = False
            screen.query_one("#rem-date", Input).value = "31/02/2026"  # not a day
            await pilot.pause(0.1)
            assert len(_rows(screen)) == 3  # still the lines being sent
            await settle(pilot, lambda: not screen.sending)
            assert [r[3] for r in _rows(screen)] == ["✓ envoyé", "✓ envoyé", "✗ sans adresse"]
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


async def test_a_change_made_while_a_file_is_open_shows_when_coming_back(tmp_path, db_path, smtp):  # noqa: F811
    inbox, port = smtp
    repo = _store(db_path, port)
    app = _app(repo, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("f")  # the file of the line chosen, over the reminders
        await settle(pilot, lambda: isinstance(app.screen, CandidateScreen))
        table = app.screen.query_one("#placements", DataTable)
        assert table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value == "p2"  # the one concerned
        token = screen._token
        # Another session sends Anne Petit's reminders; this app reads the store again.
        settings = load_settings(db_path)
        data = repo.dataset()
        other = reminders.compose(data, settings, reminders.due_for(data, settings, AS_OF, ("conventions",)))
        reminders.send(repo, settings, other, now=lambda: datetime(2026, 2, 20, 9, 0))
        app.reload()
        await settle(pilot, lambda: not app.loading_state and app.state.get("placements", "p2").reminders)
        assert screen._token == token  # nothing computed behind the file
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen and screen._token > token and not screen.busy)
        assert _rows(screen) == [("Anne Petit", "CŒURDACIER Zoé", "attest., éval.", "à envoyer"),
                                 ("Courriel Sans", "BENALI Inès", "attest., éval.", "✗ sans adresse")]
