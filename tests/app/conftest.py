"""Fixtures of the app's tests (the bank, store and TUTOR_HOME ones every layer shares are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from support.frozen import freeze, utc_local_time
from support.labfeed import labs_of, write_lab


@pytest.fixture
def frozen_clock(monkeypatch):
    """The study layer's wall clock stopped at support.frozen.NOW, local time UTC: dates on screen never move."""
    with utc_local_time():
        yield freeze(monkeypatch)


@pytest.fixture
def snap_labs(tmp_path):
    """The three-arm English and Korean lab of support/labfeed.py, as the app's lab catalogue."""
    folder = tmp_path / "snap-labs"
    write_lab(folder)
    return labs_of(folder)
