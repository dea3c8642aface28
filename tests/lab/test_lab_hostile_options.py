"""Lab files past the validator (issue 25): dataset options, non-finite numbers, a shift wider than the image, a
folder image whose header claims billions of pixels, a weights file whose architecture is absurd. Each is one
problem at its line (or one clean error) before any data is made or any weight allocated."""

from __future__ import annotations

import json

import pytest
from support.images import png

from tutor.lab.errors import DatasetUnavailable
from tutor.lab.spec.lab import SpecError, loads_lab

LAB = """id: hostile
title: t
summary: t
dataset: {DATASET}
defaults: {{per_class: 5, epochs: 1}}
profiles: {{quick: {{seeds: 1}}}}
arms:
  a: {ARM}
  b: {{}}
claims: [a.val_acc > b.val_acc]
"""
FRACTALS = "{name: fractals, size: 32}"


def problems(dataset: str = FRACTALS, arm: str = "{}") -> list[str]:
    with pytest.raises(SpecError) as err:
        loads_lab(LAB.format(DATASET=dataset, ARM=arm), "hostile.yaml")
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize("options, said", [
    ("{classes: abc}", "option 'classes' must be a whole number from 2 to 1,000, not 'abc'"),
    ("{classes: 0}", "option 'classes' must be a whole number"),
    ("{classes: -3}", "option 'classes' must be a whole number"),
    ("{classes: true}", "option 'classes' must be a whole number"),
    ("{classes: 2.5}", "option 'classes' must be a whole number"),
    ("{per_class: 0}", "option 'per_class' must be a whole number from 3"),
    ("{source_classes: 20000}", "option 'source_classes' must be a whole number from 1 to 1,000"),
    ("{seed: abc}", "option 'seed' must be a whole number"),
    ("{jitter: .nan}", "option 'jitter' must be a number from 0 to 0.5, not nan"),
    ("{jitter: .inf}", "option 'jitter' must be a number from 0 to 0.5"),
    ("{colour: red}", "unknown option 'colour'"),
])
def test_fractal_options_are_checked_at_their_line(options, said):
    found = problems(dataset=f"{{name: fractals, size: 32, options: {options}}}")
    assert len(found) == 1 and said in found[0] and "hostile.yaml:4" in found[0], found


@pytest.mark.parametrize("dataset, said", [
    ("{name: folder, size: 32}", None),  # path is checked when the folder is read (it may be made later)
    ("{name: folder, options: {path: 3}}", "option 'path' must be a non-empty text"),
    ("{name: oxford-pet, options: {species: fish}}", "option 'species' must be one of all, cat, dog"),
    ("{name: digits, options: {classes: 3}}", "unknown option 'classes'"),
    ("{name: imagenet}", "unknown dataset 'imagenet'"),
])
def test_other_dataset_options(dataset, said):
    if said is None:
        loads_lab(LAB.format(DATASET=dataset, ARM="{}"), "ok.yaml")
        return
    found = problems(dataset=dataset)
    assert len(found) == 1 and said in found[0], found


@pytest.mark.parametrize("arm, said", [
    ("{augment: [{rotate: .nan}]}", "finite number"),
    ("{augment: [{brightness: .inf}]}", "'brightness' takes at most 10"),
    ("{augment: [{rotate: 1000}]}", "'rotate' takes at most 180"),
    ("{augment: [{mixup: .inf}]}", "'mixup' takes at most 100"),
    ("{augment: [{cutout: .nan}]}", "finite number"),
    ("{augment: [{shift: 100}]}", "'shift' of 100 pixels needs images larger than that (these are 32 px)"),
    ("{augment: [{shift: 32}]}", "'shift' of 32 pixels needs images larger"),
    ("{normalize: {mean: [.nan], std: [0.2]}}", "finite number"),
    ("{normalize: {mean: [0.1], std: [.inf]}}", "finite number"),
    ("{clip_grad: .inf}", "finite number"),
    ("{lr: .nan}", "finite number"),
    ("{dropout: .nan}", "finite number"),
    ("{target_acc: .nan}", "finite number"),
    ("{unfreeze: all, lr_decay_per_stage: .nan}", "finite number"),
])
def test_arm_numbers_are_finite_and_bounded(arm, said):
    found = problems(arm=arm)
    assert len(found) == 1 and said in found[0], found  # one problem, even where two profiles share the arm


def test_a_shift_below_the_image_size_is_fine():
    loads_lab(LAB.format(DATASET=FRACTALS, ARM="{augment: [{shift: 31}]}"), "ok.yaml")



@pytest.mark.parametrize("width, height", [(60000, 60000), (9000, 9000), (8001, 8000)])
def test_a_folder_image_claiming_too_many_pixels_is_refused_from_its_header(tmp_path, width, height):
    from tutor.lab.data.images import survey

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ok.png").write_bytes(png(4, 4))
    bomb = tmp_path / "a" / "bomb.png"
    bomb.write_bytes(png(width, height))
    assert len(bomb.read_bytes()) < 100
    with pytest.raises(DatasetUnavailable, match="claims .*megapixels at most"):
        survey(tmp_path)


def test_a_folder_is_surveyed_from_headers(tmp_path):
    from tutor.lab.data.images import survey

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(3):
            (tmp_path / name / f"{i}.png").write_bytes(png(40 + i, 30))
    found = survey(tmp_path)
    assert found.classes == ["a", "b"] and len(found.files) == 6 and found.largest_pixels == 42 * 30


@pytest.mark.parametrize("arch, said", [
    ({"widths": [100_000] * 4}, "arch widths"),
    ({"widths": []}, "arch widths"),
    ({"widths": [16, "x"]}, "arch widths"),
    ({"widths": list(range(1, 20))}, "arch widths"),
    ({"widths": [8, 8], "stem_stride": 0}, "stem_stride"),
    ({"widths": [8, 8], "in_channels": 10**6}, "in_channels"),
])
def test_a_checkpoint_with_an_absurd_architecture_is_refused_before_building(arch, said):
    pytest.importorskip("torch")
    from tutor.lab.models.backbones import checkpoint_problem

    ckpt = {"arch": arch, "mean": [0.1], "std": [0.2], "classes": ["a"], "backbone": {}, "head": {}}
    problem = checkpoint_problem(ckpt)
    assert problem and said in problem


def test_a_checkpoint_whose_weights_do_not_fit_is_one_line(tmp_path):
    torch = pytest.importorskip("torch")
    from tutor.lab.errors import BackboneUnavailable
    from tutor.lab.models.backbones import CHECKPOINT_FORMAT, load_backbone

    path = tmp_path / "w.pt"
    torch.save({"format": CHECKPOINT_FORMAT, "arch": {"widths": [8, 8]}, "mean": [0.1], "std": [0.2], "classes": ["a"],
                "backbone": {}, "head": {}}, path)
    with pytest.raises(BackboneUnavailable, match="do not fit the architecture") as err:
        load_backbone("tutornet", weights=path)
    assert "\n" not in str(err.value)


def test_the_shipped_checkpoint_passes():
    pytest.importorskip("torch")
    from tutor.lab.models.backbones import (
        TUTORNET_CHECKPOINT,
        checkpoint_problem,
        read_checkpoint,
    )

    assert checkpoint_problem(read_checkpoint(TUTORNET_CHECKPOINT)) is None


@pytest.mark.parametrize("weights, said", [("/dev/zero", "is not a regular file"), ("/nonexistent/w.pt", "No such file"),
                                           ("WIDE", "arch widths must be")])
def test_tutor_lab_refuses_a_bad_weights_file_in_one_line_before_the_engine_loads(tmp_path, capsys, weights, said):
    from tutor.cli import main

    if weights == "WIDE":
        torch = pytest.importorskip("torch")
        from tutor.lab.models.backbones import CHECKPOINT_FORMAT

        weights = str(tmp_path / "wide.pt")
        torch.save({"format": CHECKPOINT_FORMAT, "arch": {"widths": [100_000] * 4}, "mean": [0.1], "std": [0.2],
                    "classes": ["a"], "backbone": {}, "head": {}}, weights)
    path = tmp_path / "lab.yaml"
    path.write_text(LAB.format(DATASET=FRACTALS, ARM="{}").replace("defaults:", f"backbone: {{name: tutornet, weights: {weights}}}\ndefaults:"))
    assert main(["lab", str(path), "--no-record", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert not (tmp_path / "out").exists()


def test_plots_draw_a_lab_files_escapes_escaped(tmp_path):
    import warnings

    pytest.importorskip("matplotlib")
    from tutor.lab.report.plots import _plt, save_figure

    fig, ax = _plt().subplots()
    title = ax.set_title("Title\x1b]0;x\x07")
    ax.set_xticks([0, 1], ["arm\u202e", "\x9b31m"])
    fig.suptitle("Lab\x1b[5m")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph 7 missing" warning would print the raw character
        save_figure(fig, tmp_path, "x.png")
    assert title.get_text() == "Title\\x1b]0;x\\x07" and (tmp_path / "x.png").stat().st_size > 0


def test_too_many_fractal_classes_to_keep_distinct_is_one_line(monkeypatch):
    pytest.importorskip("torch")
    from tutor.lab.data import datasets, fractals
    from tutor.lab.errors import LabError

    def crowded(n, seed, **_):
        raise RuntimeError(f"could not find {n} distinct fractal classes (seed {seed}); lower the count")

    monkeypatch.setattr(fractals, "sample_classes", crowded)
    with pytest.raises(LabError, match=r"dataset .fractals.: could not find \d+ distinct fractal classes"):
        datasets._build_fractals(32, 1000, 3, 1, 100, 2)


def test_a_search_over_a_huge_grid_draws_its_trials_without_building_it():
    import itertools
    import random

    from tutor.lab.kinds.search import search_trials

    lrs = [round(0.0001 * (i + 1), 6) for i in range(100)]
    decays = [round(0.001 * i, 6) for i in range(100)]
    huge = {"lr": lrs, "weight_decay": decays, "dropout": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] * 10,
            "batch_size": list(range(1, 101)), "l2": [round(i / 1000, 6) for i in range(100)]}  # 10^10 points
    text = LAB.format(DATASET=FRACTALS, ARM="{search: {trials: 8, space: %s}}" % json.dumps(huge))
    cfg = loads_lab(text, "search.yaml").arm_configs("quick")["a"]
    trials = search_trials(cfg, seed=3)
    assert len(trials) == 8 and len({json.dumps(t, sort_keys=True) for t in trials}) == 8
    small = {"lr": [0.001, 0.01, 0.1], "dropout": [0.0, 0.5]}  # the same draws as sampling the built grid
    cfg = loads_lab(LAB.format(DATASET=FRACTALS, ARM="{search: {trials: 4, space: %s}}" % json.dumps(small)), "s.yaml").arm_configs("quick")["a"]
    grid = [dict(zip(small, combo)) for combo in itertools.product(*small.values())]
    assert search_trials(cfg, seed=5) == random.Random(5).sample(grid, 4)
