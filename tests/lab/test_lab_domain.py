"""Domain splits (the `domain` arm setting: tutor/lab/spec/settings.py DomainSplit, tutor/lab/data/domains.py): an
arm trained on one domain of elpv (its cell types, mono and poly) and judged on another, plus `add` labelled images
of the judged domain; paired by seed, refused in one line where a dataset has no domains or the pool cannot give
the images, and served the same frozen features as every other arm."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from support.labspec import one_arm_error

from tutor.lab.errors import LabError
from tutor.lab.kinds import ArmConfig
from tutor.lab.spec import loads_lab
from tutor.lab.spec.lab import SpecError


def test_the_setting_is_a_typed_mapping_with_its_own_rules():
    cfg = ArmConfig(train_size=200, domain={"train": "mono", "eval": "poly", "add": 100})
    assert (cfg.domain.train, cfg.domain.eval, cfg.domain.add) == ("mono", "poly", 100)
    assert ArmConfig().domain is None
    assert "trained on mono images + 100 poly, judged on poly" in cfg.describe()
    assert "trained on images of every domain, judged on poly" in ArmConfig(domain={"eval": "poly"}).describe()
    for bad, words in (({"train": "mono", "eval": "poly", "add": -1}, "add"), ({"train": "Mono!"}, "train"),
                       ({"train": "mono", "extra": 1}, "extra")):
        with pytest.raises(ValueError, match=words):
            ArmConfig(domain=bad)
    # a fragment may give one part (`defaults: {domain: {add: 50}}`); the merged arm must make sense
    assert ArmConfig(domain={}).domain.problem().startswith("domain needs `train`")
    assert "give `eval`" in ArmConfig(domain={"train": "mono", "add": 5}).domain.problem()
    assert ArmConfig(domain={"eval": "poly"}).domain.problem() is None


def _elpv_lab(arm: str, defaults: str = "{train_size: 200}") -> str:
    return textwrap.dedent(f"""\
        id: dom
        title: t
        summary: s
        dataset: {{name: elpv, size: 16}}
        defaults: {defaults}
        arms:
          a: {arm}
        claims:
          - a.train_images > 0
        """)


def test_a_lab_on_elpv_takes_the_setting_and_profile_layers_merge_into_it():
    lab = loads_lab(_elpv_lab("{domain: {train: mono, eval: poly}}", "{train_size: 200, domain: {add: 50}}"), "d.yaml")
    assert lab.arm_configs("quick")["a"].domain.model_dump() == {"train": "mono", "eval": "poly", "add": 50}


@pytest.mark.parametrize("arm, defaults, words", [
    ("{domain: {train: mono, eval: cats}}", "{train_size: 200}", "'cats' is not a domain of elpv (domains: mono, poly)"),
    ("{domain: {train: mono, eval: poly}}", "{train_size: 900}", "train_size 900 asks for more mono training images"),
    ("{domain: {train: mono, eval: poly, add: 1100}}", "{train_size: 200}", "add 1,100 asks for more labelled poly"),
    ("{domain: {train: poly, eval: poly, add: 900}}", "{train_size: 200}", "has left for it (863)"),
    ("{domain: {add: 50}}", "{train_size: 200}", "domain needs `train`"),
    ("{domain: {train: mono, add: 50}}", "{train_size: 200}", "give `eval`"),
])
def test_what_the_pool_cannot_give_is_refused_in_one_line_at_the_arm(arm, defaults, words):
    with pytest.raises(SpecError) as info:
        loads_lab(_elpv_lab(arm, defaults), "d.yaml")
    message = str(info.value)
    assert words in message and "d.yaml:7" in message and "\n" not in message.strip()


def test_a_dataset_without_domains_is_refused_in_one_line():
    message = one_arm_error("{domain: {train: mono, eval: poly}}", "digits.yaml")
    assert "digits.yaml:6" in message and "'digits' has none" in message and "elpv: mono, poly" in message
    assert "\n" not in message.strip()


# ---- the draw, on a small made-up dataset with domains: 60 images, 3 per (label, domain) in val and test

def _images(torch):
    from tutor.lab.data.datasets import ImageSet

    n = 60
    y = np.array([0, 1] * (n // 2))
    dom = np.array(["mono"] * 24 + ["poly"] * 36)
    held = {"val": [], "test": []}
    for label in (0, 1):
        for name in ("mono", "poly"):
            idx = np.flatnonzero((y == label) & (dom == name))
            held["val"] += idx[:3].tolist()
            held["test"] += idx[3:6].tolist()
    val, test = np.sort(held["val"]), np.sort(held["test"])
    train = np.setdiff1d(np.arange(n), np.concatenate([val, test]))
    g = torch.Generator().manual_seed(0)
    return ImageSet(name="elpv", x=torch.rand(n, 1, 16, 16, generator=g), y=torch.from_numpy(y),
                    classes=["ok", "defective"], splits={"train": train, "val": val, "test": test}, license="made up",
                    domains=dom)


torch = pytest.importorskip("torch")


@pytest.fixture
def images():
    return _images(torch)


def test_the_added_images_are_the_judged_domain_stratified_fresh_and_fixed_by_the_seed(images):
    from tutor.lab.data import domains

    pool = images.splits["train"]
    mono = domains.part(pool, images, "mono")
    assert len(mono) == 12 and set(images.domains[mono]) == {"mono"}
    drawn = mono[:6]
    got = domains.with_added(drawn, pool, images, "poly", 10, seed=3)
    added = np.setdiff1d(got, drawn)
    assert len(got) == 16 and len(added) == 10 and set(images.domains[added]) == {"poly"}
    assert np.array_equal(got, np.sort(got)) and set(drawn) <= set(got)
    assert np.bincount(images.y.numpy()[added]).tolist() == [5, 5]  # stratified as the poly pool (half defective)
    assert np.array_equal(got, domains.with_added(drawn, pool, images, "poly", 10, seed=3))
    assert not np.array_equal(got, domains.with_added(drawn, pool, images, "poly", 10, seed=4))
    with pytest.raises(LabError, match=r"add 25 asks for more labelled 'poly' images .* \(24\)") as info:
        domains.with_added(drawn, pool, images, "poly", 25, seed=3)
    assert "\n" not in str(info.value)
    with pytest.raises(LabError, match="has no domains"):
        domains.part(pool, images.__class__(**{**images.__dict__, "domains": None}), "mono")


class _Loaded:
    """What train_indices and held_out read of a loaded dataset."""

    def __init__(self, ds):
        from tutor.lab.runner.prepare import LoadedData

        self.ds, self.val_idx, self.test_idx = ds, ds.splits["val"], ds.splits["test"]
        self.held_out = LoadedData.held_out.__get__(self)


def test_arms_of_one_seed_share_their_source_images_and_are_judged_on_the_eval_domain(images):
    from tutor.lab.runner.prepare import train_indices

    d = _Loaded(images)
    mono = ArmConfig(train_size=8, domain={"train": "mono", "eval": "poly"})
    added = ArmConfig(train_size=8, domain={"train": "mono", "eval": "poly", "add": 6}, augment=["hflip"])
    a, b = train_indices(mono, d, 5), train_indices(added, d, 5)
    assert len(a) == 8 and set(images.domains[a]) == {"mono"}
    assert len(b) == 14 and set(a) <= set(b) and set(images.domains[np.setdiff1d(b, a)]) == {"poly"}
    assert np.array_equal(b, train_indices(added, d, 5))
    val, test = d.held_out(mono)
    assert set(images.domains[val]) == set(images.domains[test]) == {"poly"} and len(val) == len(test) == 6
    assert [len(i) for i in d.held_out(ArmConfig(train_size=8))] == [12, 12]  # no domain: the whole splits
    with pytest.raises(LabError, match="training images of 'mono': asked for 13 images but this split has only 12"):
        train_indices(ArmConfig(train_size=13, domain={"train": "mono"}), d, 0)


def test_frozen_features_of_a_domain_arm_are_the_shared_table_rows(images, tiny_weights, monkeypatch):
    """Restricting the split never changes a feature: both arms read one table, cached for the whole dataset."""
    from support.labbench import arm_inputs
    from tutor.lab.data import datasets

    monkeypatch.setattr(datasets, "load", lambda name, size, **options: images)
    lab = loads_lab(textwrap.dedent(f"""\
        id: dom
        title: t
        summary: s
        dataset: {{name: elpv, size: 16}}
        backbone: {{name: tutornet, weights: {tiny_weights}}}
        defaults: {{train_size: 8, epochs: 1}}
        arms:
          whole: {{}}
          mono: {{domain: {{train: mono, eval: poly, add: 4}}}}
        claims:
          - mono.train_images > 0
        """), "d.yaml")
    bench, d, arms = arm_inputs(lab, tiny_weights)
    whole, mono = arms["whole"], arms["mono"]
    assert len(bench.tables) == 1  # one table of every image's features
    table = next(iter(bench.tables.values()))
    assert table.shape[0] == len(images)
    val, test = d.held_out(lab.arm_configs("quick")["mono"])
    assert torch.equal(mono.val.x, table[torch.from_numpy(val)]) and torch.equal(mono.test.x, table[torch.from_numpy(test)])
    assert len(whole.val.y) == 12 and len(mono.val.y) == 6 and len(mono.train.y) == 12


def test_the_cost_counts_the_added_images_and_the_judged_domain_alone():
    from tutor.lab import cost

    lab = loads_lab(_elpv_lab("{domain: {train: mono, eval: poly, add: 100}}", "{train_size: 200, unfreeze: all}"),
                    "d.yaml")
    spec = lab.datasets("quick")["default"]
    cfg = lab.arm_configs("quick")["a"]
    pool, val, test, added = cost.domain_splits(cfg, spec)
    assert (pool, val, test, added) == (737, 192, 295, 100)
    plain = cost.arm_work(cfg.model_copy(update={"domain": None}), spec, "tutornet")
    work = cost.arm_work(cfg, spec, "tutornet")
    assert work["step"] == pytest.approx(plain["step"] * 5 / 4)  # 300 images in batches of 64: 5 steps, not 4
    assert work["conv_eval"] < plain["conv_eval"] * 300 / 200  # scored on poly validation and test alone
    assert cost.arm_cost(cfg, 2624, 2, 16, "tutornet")[0] > cost.arm_cost(ArmConfig(train_size=200), 2624, 2, 16, "tutornet")[0]
