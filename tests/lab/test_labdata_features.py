"""The frozen-feature cache key: features computed by another torch, device or thread count are not reused."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from tutor.lab.data import features  # noqa: E402
from tutor.lab.models import backbones  # noqa: E402

CPU = torch.device("cpu")
KEY = {"dataset": "t", "size": 32, "options": {}}


@pytest.fixture
def net_and_images():
    torch.manual_seed(0)
    return backbones.build_tutornet(), torch.rand(4, 1, 32, 32)


def _hit(net, x) -> bool:
    return features.cached_features(net, x, device=CPU, key=KEY)[1]


def test_same_torch_device_and_threads_hit(net_and_images):
    assert not _hit(*net_and_images)
    assert _hit(*net_and_images)


def test_another_thread_count_misses(net_and_images):
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert not _hit(*net_and_images)
        torch.set_num_threads(2)
        assert not _hit(*net_and_images)  # written with 1 thread: not served to a 2-thread run
        assert _hit(*net_and_images)
    finally:
        torch.set_num_threads(before)


def test_another_torch_version_misses(net_and_images, monkeypatch):
    assert not _hit(*net_and_images)
    monkeypatch.setattr(torch, "__version__", "0.0.0+other")
    assert not _hit(*net_and_images)


def test_the_key_names_the_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda d=None: "Some GPU")
    cpu, gpu = features.computed_by(CPU), features.computed_by(torch.device("cuda"))
    assert cpu["device"] == "cpu" and gpu["device"] == "cuda:Some GPU"
    assert cpu["torch"] == torch.__version__ and cpu["threads"] == torch.get_num_threads()
