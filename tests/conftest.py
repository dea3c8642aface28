"""Every test gets its own TUTOR_HOME so no test touches the real user data or another test's store."""

import pytest


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_BANKS", raising=False)
    return home
