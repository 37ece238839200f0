"""The 150-learner demo school as a store (7 divisions, one bucket each), built once per
test module and copied for each test: for tests of the store's reads and caches."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from pfmp_tui.services.demo import build_demo
from pfmp_tui.store.repository import Repository
from pfmp_tui.store.storage import Store

TODAY = date(2026, 11, 28)  # the demo's day


@pytest.fixture(scope="module")
def school_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "db" / "pfmp.json"
    Repository(Store(path)).add_all(build_demo(150, 1, today=TODAY))
    return path


@pytest.fixture
def path(school_path: Path, tmp_path: Path) -> Path:
    """A copy of the demo school's store, for one test."""
    shutil.copytree(school_path.parent, tmp_path / "db")
    return tmp_path / "db" / "pfmp.json"
