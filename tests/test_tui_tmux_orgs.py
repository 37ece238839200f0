"""The real `pfmp` program in tmux at 80×24, each form filled by ONE `send-keys` (a whole burst,
as a slow SSH link delivers it): an organisation with its contacts, then a placement whose
organisation and tutor are found by typing a few letters on their fields (issue 15 §3)."""

from __future__ import annotations

import time
from datetime import date

from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store
from tests.test_tui_tmux_burst import pytestmark, start_program, tmux  # noqa: F401  (the fixture, the skip)


def wait_store(db_path, found, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found(Repository(Store(db_path)).dataset())
        if result is not None:
            return result
        time.sleep(0.2)
    return None


def test_contacts_and_a_placement_found_by_typing_each_in_one_burst(tmux, tmp_path, db_path):  # noqa: F811
    start_program(tmux, tmp_path, db_path)

    # The organisations list, a new one, its contacts past SIRET/address/postcode/city/country, ^s.
    tmux.run("send-keys", "-t", "pfmp", "o", "n", "Garage du Port", *["Tab"] * 6, "02 31 00 11 22", "Tab",
             "atelier@garage-du-port.fr", "Tab", "garage-du-port.fr", "Tab", "Yann Le Roux", "C-s")
    org = wait_store(db_path, lambda d: next((o for o in d.organisations if o.name == "Garage du Port"), None))
    assert org is not None, tmux.screen()
    assert (org.phone, org.email, org.website, org.representative) == (
        "02 31 00 11 22", "atelier@garage-du-port.fr", "garage-du-port.fr", "Yann Le Roux")
    tmux.wait_for("Tél. 02 31 00 11 22 · Courriel atelier@garage-du-port.fr")  # the list's contacts panel

    tmux.run("send-keys", "-t", "pfmp", "Escape")
    tmux.wait_for("Tableau de bord", "1 attestation en retard")
    tmux.run("send-keys", "-t", "pfmp", "Enter")
    tmux.wait_for("1 élève sur 3", "MARTIN Zoé")
    tmux.run("send-keys", "-t", "pfmp", "Enter")
    tmux.wait_for("Fiche de MARTIN Zoé", "05/10/26→30/10/26")
    # One write: « s », « lyo » on the organisation field (the search opens on its first letter),
    # entrée, Tab, « pet » on the tutor field, entrée, the teacher, the dates, ^s.
    tmux.run("send-keys", "-t", "pfmp", "s", "lyo", "Enter", "Tab", "pet", "Enter", "Tab", "mdurand", "Tab",
             "01/02/2027", "Tab", "26/02/2027", "C-s")
    placement = wait_store(db_path, lambda d: next((p for p in d.placements
                                                    if p.student_id == "s1" and p.start == date(2027, 2, 1)), None))
    assert placement is not None, tmux.screen()
    assert (placement.organisation_id, placement.tutor_id, placement.teacher, placement.end) == (
        "o1", "t1", "mdurand", date(2027, 2, 26))
    tmux.run("send-keys", "-t", "pfmp", "Escape", "C-q")
