"""Fixtures every layer shares. Every test gets its own TUTOR_HOME so no test touches the real user data or another test's store.

Labs train single-threaded in tests (TUTOR_THREADS=1): a seed's numbers then do not depend on how busy the
machine is, so the verdicts asserted for the shipped labs are the same here and in CI.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from support.app import LABS, write_bank
from support.store import HOLD
from support.tutoring import write_misconception_bank


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_BANKS", raising=False)
    monkeypatch.delenv("TUTOR_LABS", raising=False)
    monkeypatch.setenv("TUTOR_THREADS", "1")
    return home


@pytest.fixture
def tiny_bank(tmp_path):
    """A four-question bank written to a temporary folder: tests never depend on the shipped content."""
    from tutor.bank import load_bank

    bank = load_bank([write_bank(tmp_path / "bank")], labs=LABS)
    assert not bank.problems, bank.problems
    assert len(bank) == 4
    return bank


@pytest.fixture
def misconception_bank(tmp_path):
    """Six questions whose distractors name four misconceptions (support/tutoring.py)."""
    from tutor.bank import load_bank

    bank = load_bank([write_misconception_bank(tmp_path / "mbank")], labs=LABS)
    assert not bank.problems, bank.problems
    return bank


@pytest.fixture
def broken_bank(tmp_path):
    from tutor.bank import load_bank

    bank = load_bank([write_bank(tmp_path / "bank", broken=True)], labs=LABS)
    assert bank.problems
    return bank


@pytest.fixture
def store(tutor_home):
    from tutor.study.store import Store

    with Store() as s:
        yield s


@pytest.fixture
def locked_by_another_process(tmp_path):
    """A progress database whose write lock another process holds until `release()`."""
    from tutor.study.store import Store

    path = tmp_path / "tutor.sqlite3"
    Store(path).close()
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"

    def release() -> None:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)

    yield path, release
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory) -> Path:
    """A tutornet checkpoint made here (random weights, seed 0), so engine tests do not depend on the shipped one."""
    torch = pytest.importorskip("torch")
    from tutor.lab.models import backbones

    torch.manual_seed(0)
    net = backbones.build_tutornet()
    head = torch.nn.Linear(net.feature_dim, 100)
    path = tmp_path_factory.mktemp("weights") / "tiny-tutornet.pt"
    torch.save({"format": backbones.CHECKPOINT_FORMAT, "arch": dict(backbones.DEFAULT_ARCH), "mean": [0.5], "std": [0.25],
                "classes": [f"c{i}" for i in range(100)], "backbone": net.state_dict(), "head": head.state_dict()}, path)
    return path


def pytest_addoption(parser):
    parser.addoption("--seed-base", type=int, default=None,
                     help="shipped-lab tests: run every lab from this first seed instead of its default (CI checks a "
                          "second base, so no verdict rests on the seeds it was designed on)")
