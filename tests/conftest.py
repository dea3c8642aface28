"""Every test gets its own TUTOR_HOME so no test touches the real user data or another test's store.

Labs train single-threaded in tests (TUTOR_THREADS=1): a seed's numbers then do not depend on how busy the
machine is, so the verdicts asserted for the shipped labs are the same here and in CI.
"""

import pytest


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_BANKS", raising=False)
    monkeypatch.setenv("TUTOR_THREADS", "1")
    return home
