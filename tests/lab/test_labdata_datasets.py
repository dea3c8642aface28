"""Datasets: fixed, disjoint, stratified, deterministic splits; caching; folders; offline downloads."""

import urllib.error

import numpy as np
import pytest
import torch

from tutor.lab.data import datasets
from tutor.lab.errors import DatasetUnavailable, LabError


@pytest.fixture(autouse=True)
def _fresh_memory():
    datasets.clear_memory()
    yield
    datasets.clear_memory()


def _check_splits(ds, expect=None):
    s = ds.splits
    assert set(s) == {"train", "val", "test"}
    allidx = np.concatenate([s["train"], s["val"], s["test"]])
    assert len(np.unique(allidx)) == len(allidx) == len(ds)  # disjoint, and they cover the set
    whole = np.bincount(ds.y.numpy(), minlength=len(ds.classes)) / len(ds)
    for name, idx in s.items():
        if expect:
            assert len(idx) == expect[name], name
        frac = np.bincount(ds.y.numpy()[idx], minlength=len(ds.classes)) / len(idx)
        assert np.abs(frac - whole).max() < 0.02, f"{name} split is not stratified"
    assert ds.x.dtype == torch.float32 and ds.x.dim() == 4 and ds.x.shape[1] == 1
    assert 0.0 <= float(ds.x.min()) and float(ds.x.max()) <= 1.0
    assert ds.y.dtype == torch.int64


def test_digits_splits_are_fixed_disjoint_and_stratified():
    ds = datasets.load("digits", size=32)
    assert ds.x.shape == (1797, 1, 32, 32) and len(ds.classes) == 10
    _check_splits(ds, {"train": 997, "val": 300, "test": 500})
    datasets.clear_memory()
    again = datasets.load("digits", size=32)  # from the disk cache
    assert all(np.array_equal(ds.splits[k], again.splits[k]) for k in ds.splits)
    assert torch.equal(ds.x, again.x)
    assert "scikit-learn" in ds.license


def test_splits_do_not_depend_on_size():
    a = datasets.load("digits", size=16)
    b = datasets.load("digits", size=24)
    assert all(np.array_equal(a.splits[k], b.splits[k]) for k in a.splits)


def test_sample_is_stratified_and_deterministic():
    ds = datasets.load("digits", size=16)
    pool = ds.splits["train"]
    a = datasets.sample(pool, ds.y, per_class=5, seed=0)
    b = datasets.sample(pool, ds.y, per_class=5, seed=0)
    c = datasets.sample(pool, ds.y, per_class=5, seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.isin(a, pool).all()
    assert list(np.bincount(ds.y.numpy()[a])) == [5] * 10
    n = datasets.sample(pool, ds.y.numpy(), n=300, seed=3)
    assert len(n) == 300 and len(np.unique(n)) == 300 and np.isin(n, pool).all()
    counts = np.bincount(ds.y.numpy()[n])
    assert counts.min() >= 28 and counts.max() <= 32
    # a larger sample from the same seed is not required to contain the smaller one, but it is in the pool
    with pytest.raises(LabError):
        datasets.sample(pool, ds.y, per_class=10_000, seed=0)
    with pytest.raises(ValueError):
        datasets.sample(pool, ds.y, seed=0)


def test_fractals_dataset_new_classes():
    ds = datasets.load("fractals", size=32, classes=4, per_class=30)
    assert ds.x.shape == (120, 1, 32, 32) and len(ds.classes) == 4
    _check_splits(ds, {"train": 80, "val": 20, "test": 20})
    with pytest.raises(LabError, match="jitter must be between"):
        datasets.load("fractals", size=16, classes=2, per_class=12, jitter=0.9)
    with pytest.raises(LabError, match="differ from the source"):
        datasets.load("fractals", seed=datasets.fractals.SOURCE_SEED)


@pytest.fixture(scope="module")
def elpv():
    # elpv decodes 2,624 PNGs (~4-6 s): load it once for the module, under its own home
    with pytest.MonkeyPatch.context() as mp:
        import tempfile

        home = tempfile.mkdtemp(prefix="tutor-elpv-")
        mp.setenv("TUTOR_HOME", home)
        datasets.clear_memory()
        ds = datasets.load("elpv", size=32)
        yield ds


def test_elpv_binary_labels_and_fixed_splits(elpv):
    assert elpv.x.shape == (2624, 1, 32, 32)
    assert elpv.classes == ["ok", "defective"]
    assert int(elpv.y.sum()) == 821  # probability >= 0.5
    _check_splits(elpv, {"train": 1800, "val": 324, "test": 500})
    assert "CC BY-NC-SA 4.0" in elpv.license and "Deitsch" in elpv.license


def test_elpv_domains_are_its_cell_types_counted_as_the_spec_says(elpv):
    # the spec refuses a `domain` draw the pool cannot give, and the cost counts domain arms, from these counts
    from tutor.lab.spec.lab import DATASET_DOMAINS

    assert set(elpv.domains.tolist()) == {"mono", "poly"} and len(elpv.domains) == len(elpv)
    counted = {name: {split: int((elpv.domains[idx] == name).sum()) for split, idx in elpv.splits.items()}
               for name in ("mono", "poly")}
    assert counted == DATASET_DOMAINS["elpv"]
    assert datasets.load("digits", size=8).domains is None


def test_elpv_split_is_stable():
    # a pinned fingerprint: the documented split must never move between versions
    from tutor.lab.data.datasets import stratified_split

    y = np.array([0] * 70 + [1] * 30)
    s = stratified_split(y, test=20, val=10)
    assert [len(s[k]) for k in ("train", "val", "test")] == [70, 10, 20]
    assert np.bincount(y[s["test"]]).tolist() == [14, 6]
    assert np.array_equal(s["test"], stratified_split(y, test=20, val=10)["test"])


def test_folder_dataset(tmp_path):
    from PIL import Image

    tmp_path = tmp_path / "images"
    tmp_path.mkdir()
    rng = np.random.default_rng(0)
    for cls, shade in (("cat", 40), ("dog", 200)):
        (tmp_path / cls).mkdir()
        for i in range(10):
            arr = np.clip(rng.normal(shade, 10, size=(40, 50, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(arr).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = datasets.load("folder", size=16, path=str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.x.shape == (20, 1, 16, 16)
    assert float(ds.x[ds.y == 0].mean()) < 0.3 < 0.6 < float(ds.x[ds.y == 1].mean())
    _check_splits(ds, {"train": 14, "val": 2, "test": 4})
    with pytest.raises(DatasetUnavailable, match="not a directory"):
        datasets.load("folder", path=str(tmp_path / "missing"))
    with pytest.raises(LabError, match="needs path"):
        datasets.load("folder")


def test_oxford_pet_offline_is_one_clear_line(monkeypatch):
    import torchvision.datasets.oxford_iiit_pet as pet

    calls = []

    def offline(*args, **kwargs):
        calls.append(args)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(pet, "download_and_extract_archive", offline)
    with pytest.raises(DatasetUnavailable) as info:
        datasets.load("oxford-pet", size=32)
    message = str(info.value)
    assert calls, "the real torchvision download path was not taken"
    assert "\n" not in message and "oxford-pet needs the internet" in message and "URLError" in message


def test_unknown_names_and_options():
    with pytest.raises(LabError, match="unknown dataset"):
        datasets.load("imagenet")
    with pytest.raises(LabError, match="unknown option"):
        datasets.load("digits", classes=3)
    with pytest.raises(LabError, match="out of range"):
        datasets.load("digits", size=4)
