"""Every test gets its own TUTOR_HOME so no test touches the real user data or another test's store.

Labs train single-threaded in tests (TUTOR_THREADS=1): a seed's numbers then do not depend on how busy the
machine is, so the verdicts asserted for the shipped labs are the same here and in CI.
"""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_BANKS", raising=False)
    monkeypatch.delenv("TUTOR_LABS", raising=False)
    monkeypatch.setenv("TUTOR_THREADS", "1")
    return home


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
