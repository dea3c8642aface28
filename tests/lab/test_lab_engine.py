"""The engine end to end on tiny configurations: run_lab events, result.json, plots, cache, cancellation, CLI."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tutor import paths  # noqa: E402
from tutor.lab import events  # noqa: E402
from tutor.lab.spec import loads_lab  # noqa: E402


@pytest.fixture
def weights(tiny_weights) -> Path:
    return tiny_weights


def tiny_lab_text(weights: Path, claims: str | None = None) -> str:
    claims = claims or textwrap.indent(textwrap.dedent("""\
        - many.train_images > few.train_images
        - claim: few.val_acc > 0.0
          says: anything at all
        """), "  ")
    return textwrap.dedent(f"""\
        id: tiny
        title: Tiny engine test
        summary: digits at 16 px, two arms, a couple of seeds
        dataset: {{name: digits, size: 16, val: 60, test: 60}}
        backbone: {{name: tutornet, weights: {weights}}}
        profiles:
          quick: {{seeds: 2, defaults: {{epochs: 1}}}}
        defaults: {{lr: 0.01, batch_size: 16}}
        arms:
          few: {{per_class: 2}}
          many:
            per_class: 6
            unfreeze: 1
          tuned:
            per_class: 2
            search: {{trials: 2, space: {{lr: [0.01, 0.1]}}}}
          augmented:
            per_class: 2
            unfreeze: all
            augment: [hflip, {{shift: 1}}]
        claims:
        """) + claims


def test_run_lab_end_to_end_writes_result_and_png(weights, tmp_path):
    from tutor.lab.runner import run_lab

    lab = loads_lab(tiny_lab_text(weights), "tiny.yaml")
    out = tmp_path / "run"
    seen = list(run_lab(lab, out=out))
    kinds = [e.kind for e in seen]
    assert kinds[0] == "lab_started" and kinds[-1] == "lab_finished"
    assert kinds.count("arm_finished") == 4 and kinds.count("claim_result") == 2
    assert kinds.count("seed_finished") == 8
    epoch_events = [e for e in seen if isinstance(e, events.EpochEnd)]
    assert {e.arm for e in epoch_events} == {"few", "many", "tuned", "augmented"}
    assert len([e for e in epoch_events if e.arm == "tuned"]) == 2 * 2  # 2 trials x 1 epoch x 2 seeds
    for e in seen:  # every event is one JSON line
        assert events.from_json(e.to_json()).kind == e.kind

    result = json.loads((out / "result.json").read_text())
    for key in ("lab", "profile", "device", "seeds", "versions", "arms", "claims", "verdict", "timings"):
        assert key in result
    assert result["lab"] == "tiny" and result["profile"] == "quick" and result["seeds"] == [0, 1]
    assert result["status"] == "finished"
    assert set(result["versions"]) >= {"torch", "torchvision", "tutor"}
    assert result["threads"] == 1 == seen[0].threads  # TUTOR_THREADS=1 (conftest), once for the whole run
    assert result["threads_choice"]["how"] == "pinned"
    assert result["timings"]["kinds"] == {"few": "head", "many": "top", "tuned": "search", "augmented": "full"}
    assert set(result["timings"]["load"]) == {"start", "end"}
    val = result["arms"]["few"]["val_acc"]
    assert len(val["per_seed"]) == 2 and val["mean"] == pytest.approx(np.mean(val["per_seed"]))
    for metric in ("train_acc", "val_acc", "test_acc", "train_loss", "val_loss", "gap", "seconds", "first_epoch_val_acc"):
        assert metric in result["arms"]["many"]
    assert result["arms"]["many"]["train_images"]["mean"] == 60
    assert result["arms"]["tuned"]["images_seen"]["mean"] == 2 * 20  # both trials count
    assert result["arm_details"]["tuned"]["chosen"]
    first = result["claims"][0]
    assert first["text"] == "many.train_images > few.train_images" and first["holds"] is True
    assert first["numbers"]["margin"]["per_seed"] == [40, 40]
    assert result["verdict"] in {"reproduced", "inconclusive", "contradicted"}
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["accuracy.png", "claims.png", "curves.png"]
    assert all((out / p).stat().st_size > 5000 for p in pngs)


def test_reversed_claim_is_not_reproduced(weights, tmp_path):
    from tutor.lab.runner import run_lab

    claims = "  - few.train_images > many.train_images\n  - few.val_acc > 0.0\n"
    lab = loads_lab(tiny_lab_text(weights, claims), "tiny.yaml")
    final = list(run_lab(lab, arms=["few", "many"], write=False))[-1]
    assert final.kind == "lab_finished"
    assert final.verdict == "contradicted"
    assert final.result.claims[0].opposite_holds is True and final.result.claims[0].status == "opposite"


def test_frozen_features_are_cached_and_reused(weights):
    from tutor.lab.runner import run_lab

    lab = loads_lab(tiny_lab_text(weights), "tiny.yaml")
    stages1 = [e.text for e in run_lab(lab, arms=["few"], write=False) if e.kind == "stage"]
    stages2 = [e.text for e in run_lab(lab, arms=["few"], write=False) if e.kind == "stage"]
    assert any("extracted" in s for s in stages1)
    assert any("loaded from cache" in s for s in stages2)
    entries = list((paths.cache_dir() / "features").glob("*.npz"))
    assert len(entries) == 1


def test_closing_the_generator_cancels_and_marks_the_result(weights, tmp_path):
    from tutor.lab.runner import run_lab

    lab = loads_lab(tiny_lab_text(weights), "tiny.yaml")
    out = tmp_path / "cancelled"
    gen = run_lab(lab, out=out)
    for e in gen:
        if e.kind == "arm_finished":  # one arm done, then the learner presses Esc
            break
    gen.close()
    result = json.loads((out / "result.json").read_text())
    assert result["status"] == "cancelled" and result["verdict"] == "cancelled"
    assert list(result["arms"]) == ["few"]
    assert not list(out.glob(".result-*"))  # no temporary file left behind


def test_interrupt_during_feature_extraction_leaves_no_cache_entry(weights, tmp_path, monkeypatch):
    from tutor.lab.data import features
    from tutor.lab.runner import run_lab

    calls = {"n": 0}
    real = features.extract

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        raise KeyboardInterrupt

    monkeypatch.setattr(features, "extract", interrupted)
    lab = loads_lab(tiny_lab_text(weights), "tiny.yaml")
    out = tmp_path / "interrupted"
    seen = list(run_lab(lab, out=out))
    assert calls["n"] == 1
    assert seen[-1].kind == "cancelled" and seen[-1].result.status == "cancelled"
    folder = paths.cache_dir() / "features"
    assert not folder.exists() or not any(folder.iterdir())  # no entry, no temporary file
    assert json.loads((out / "result.json").read_text())["verdict"] == "cancelled"
    monkeypatch.setattr(features, "extract", real)


def _cli(argv: list[str]) -> int:
    from tutor.lab.cli import register

    parser = argparse.ArgumentParser(prog="tutor")
    sub = parser.add_subparsers(dest="command")
    register(sub)
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_lab_runs_a_file_and_streams_json(weights, tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny_lab_text(weights))
    code = _cli(["lab", str(path), "--json", "--arms", "few,many", "--seed", "5", "--out", str(tmp_path / "o")])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[0])["event"] == "lab_started" and json.loads(lines[0])["seeds"] == [5, 6]
    assert json.loads(lines[-1])["event"] == "lab_finished"
    result = json.loads((tmp_path / "o" / "result.json").read_text())
    assert result["claims_not_run"] == [] and result["seeds"] == [5, 6]


def test_cli_spec_problem_is_one_clean_line(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: Bad\nsummary: s\ndataset: {name: digits}\narms:\n  a: {lr: fast}\nclaims: [a.val_acc > 0]\n")
    assert _cli(["lab", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].endswith("bad.yaml:6: arms.a.lr: Input should be a valid number, unable to parse string as a number")


def test_cli_unknown_lab_and_arm(capsys):
    assert _cli(["lab", "no-such-lab"]) == 1
    assert "no lab named 'no-such-lab'" in capsys.readouterr().err
    assert _cli(["lab", "underfitting", "--arms", "baseline,nope"]) == 1
    assert "no arm 'nope'" in capsys.readouterr().err


def test_cli_labs_lists_the_shipped_labs(capsys):
    assert _cli(["labs"]) == 0
    out = capsys.readouterr().out
    for lab in ("underfitting", "output-layer", "domain-similarity"):
        assert lab in out


def test_a_run_that_fails_leaves_no_empty_folder(tmp_path):
    from tutor.lab.errors import LabError
    from tutor.lab.runner import run_lab

    lab = Path(__file__).parents[1] / "data" / "tiny-lab.yaml"
    with pytest.raises(LabError, match="unknown backbone"):
        list(run_lab(str(lab), backbone="no-such-net", out=tmp_path / "run"))
    assert not (tmp_path / "run").exists()
    (tmp_path / "mine").mkdir()  # a folder the user made is left alone
    with pytest.raises(LabError):
        list(run_lab(str(lab), backbone="no-such-net", out=tmp_path / "mine"))
    assert (tmp_path / "mine").is_dir()
