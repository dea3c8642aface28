"""The cost estimate of a lab, from its file alone: shipped labs pass, unbounded ones are refused in one line."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pytest

from tutor.lab import cost
from tutor.lab.spec.lab import lab_files, load_lab, loads_lab

LAB = """id: big
title: t
summary: t
dataset: {DATASET}
defaults: {DEFAULTS}
profiles:
  quick: {{seeds: {SEEDS}}}
arms:
  a: {ARM}
  b: {{}}
claims: [a.val_acc > b.val_acc]
"""


def lab_text(dataset: str = "{name: digits, size: 32}", defaults: str = "{epochs: 5}", arm: str = "{}", seeds: int = 3) -> str:
    return LAB.format(DATASET=dataset, DEFAULTS=defaults, ARM=arm, SEEDS=seeds)


@pytest.mark.parametrize("path", lab_files(), ids=lambda p: p.stem)
def test_shipped_labs_are_within_the_limits(path):
    lab = load_lab(path)
    for profile in ("quick", "full"):
        estimate = cost.estimate(lab, profile)
        assert not estimate.too_large, (profile, str(estimate))
        assert estimate.seconds < cost.MAX_SECONDS / 4 and estimate.memory_bytes < cost.MAX_MEMORY_BYTES / 16


@pytest.mark.parametrize("kwargs", [
    {"dataset": "{name: fractals, size: 64, options: {classes: 1000, per_class: 100000}}"},  # 10^8 images
    {"arm": "{train_size: 1000000000}"},
    {"arm": "{hidden: [" + ", ".join(["8192"] * 20) + "]}"},  # a 20 x 8192 head: 1.3 G weights
    {"arm": "{model: plain, depth: 64, width: 4096}"},
    {"defaults": "{epochs: 1000, unfreeze: all}", "arm": "{search: {trials: 64, space: {lr: [0.1, 0.01, 0.001, 0.0001, 0.00001, 0.2, 0.3, 0.4], weight_decay: [0, 0.1, 0.01, 0.001, 0.0001, 0.2, 0.3, 0.4]}}}", "seeds": 50},
])
def test_unbounded_labs_are_too_large(kwargs):
    estimate = cost.estimate(loads_lab(lab_text(**kwargs), "big.yaml"), "quick")
    assert estimate.too_large, str(estimate)


def test_a_small_lab_is_estimated_small():
    estimate = cost.estimate(loads_lab(lab_text(), "small.yaml"), "quick")
    assert estimate.seconds < 60 and estimate.memory_bytes < cost.RUNTIME_BYTES + 64 * 1024**2


def _cli(argv: list[str]) -> int:
    from tutor.lab.cli import register

    parser = argparse.ArgumentParser(prog="tutor")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_cli_refuses_a_large_lab_in_one_line_before_loading_data(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text(lab_text(arm="{model: plain, depth: 64, width: 4096}"))
    assert _cli(["lab", str(path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "too large to run" in err[0] and "GiB" in err[0] and "--allow-large" in err[0]
    assert not (tmp_path / "o").exists()


def test_allow_large_passes_the_gate(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text(lab_text(arm="{model: plain, depth: 64, width: 4096}"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert _cli(["lab", str(path), "--allow-large", "--out", str(blocker / "o")]) == 1  # stops at --out instead
    err = capsys.readouterr().err
    assert "cannot write there" in err and "too large" not in err


def test_the_estimate_is_torch_free():
    import subprocess

    code = ("import sys; from tutor.lab import cost; from tutor.lab.spec.lab import find_lab; "
            "cost.estimate(find_lab('underfitting'), 'full'); assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_readme_states_the_limits():
    from tutor import yamlsrc
    from tutor.lab.spec import claims

    readme = " ".join((Path(__file__).parents[2] / "labs" / "README.md").read_text(encoding="utf-8").split())
    for stated in (f"**{cost.MAX_MEMORY_BYTES // 1024**3} GiB**", f"**{cost.MAX_SECONDS // 3600} hours**",
                   f"**{yamlsrc.MAX_FILE_BYTES // 1024**2} MiB**", f"**{yamlsrc.MAX_ALIAS_VALUES:,}**",
                   f"**{yamlsrc.MAX_DEPTH}** deep", f"**{claims.MAX_CHARS}** characters",
                   f"**{claims.MAX_TOKENS}** tokens", f"**{claims.MAX_DEPTH}** deep"):
        assert stated in readme, stated
    # the old limits, as a duration ("90 steps" in a register row is not one)
    assert "about a minute" not in readme and not re.search(r"\b90 s\b", readme)
