"""The lab format: strict validation with FILE:LINE errors, layered arm settings, safe claims."""

from __future__ import annotations

import textwrap

import pytest

from tutor import paths
from tutor.lab.errors import LabError
from tutor.lab.spec import SpecError, find_lab, lab_files, load_lab, loads_lab

GOOD = textwrap.dedent(
    """\
    id: tiny
    title: Tiny
    summary: {en: A tiny lab, ko: 작은 실험}
    questions: [some-question]
    dataset: {name: digits, size: 32}
    defaults: {per_class: 5, epochs: 3}
    profiles:
      quick:
        seeds: 2
        defaults: {epochs: 1}
        arms:
          big: {epochs: 2}
    arms:
      small: {lr: 0.01}
      big:
        hidden: 64
        epochs: 5
    claims:
      - claim: big.val_acc > small.val_acc + 0.01
        backs: [some-question]
      - claim: small.gap < big.gap
        says: the bigger head fits its own images better
        backs: [some-question]
    """
)


def errors(text: str) -> list[str]:
    with pytest.raises(SpecError) as info:
        loads_lab(text, "lab.yaml")
    return [str(p) for p in info.value.problems]


def test_good_lab_parses_and_layers_settings():
    lab = loads_lab(GOOD, "lab.yaml")
    assert lab.id == "tiny" and lab.arm_names == ["small", "big"]
    quick = lab.arm_configs("quick")
    # lab defaults < profile defaults < arm < profile arms.<name>
    assert quick["small"].epochs == 1 and quick["small"].per_class == 5 and quick["small"].lr == 0.01
    assert quick["big"].epochs == 2 and quick["big"].hidden == [64]
    full = lab.arm_configs("full")
    assert full["small"].epochs == 3 and full["big"].epochs == 5
    assert lab.profile("quick").seeds == 2 and lab.profile("full").seeds == 3
    assert lab.summary("ko") == "작은 실험"
    assert [c.text for c in lab.claims] == ["big.val_acc > small.val_acc + 0.01", "small.gap < big.gap"]


def test_unknown_field_points_at_its_line():
    bad = GOOD.replace("small: {lr: 0.01}", "small: {lr: 0.01, learning_rate: 3}")
    assert errors(bad) == ["lab.yaml:14: unknown field 'arms.small.learning_rate'"]


def test_bad_value_points_at_its_line():
    bad = GOOD.replace("hidden: 64", "hidden: 64\n    dropout: 1.5")
    (msg,) = errors(bad)
    assert msg.startswith("lab.yaml:17: arms.big.dropout:")


def test_unknown_arm_and_metric_in_claims_are_reported_with_lines():
    bad = GOOD.replace("big.val_acc > small.val_acc + 0.01", "huge.val_acc > small.accuracy")
    problems = errors(bad)
    assert "lab.yaml:19: unknown arm 'huge' in claim (arms: small, big)" in problems
    assert any(p.startswith("lab.yaml:19: unknown metric 'accuracy'") for p in problems)


def test_claim_syntax_error_in_mapping_form():
    bad = GOOD.replace("claim: small.gap < big.gap", "claim: small.gap << big.gap")
    (msg,) = errors(bad)
    assert msg.startswith("lab.yaml:21: claim 'small.gap << big.gap':")


def test_claims_cannot_run_code():
    for claim in ("__import__('os').system('true') > 0", "small.val_acc.__class__ > 0", "eval(1) > 0", "small.val_acc > 0; 1"):
        bad = GOOD.replace("big.val_acc > small.val_acc + 0.01", claim)
        assert errors(bad), claim


def test_profile_override_of_unknown_arm():
    bad = GOOD.replace("big: {epochs: 2}", "bigger: {epochs: 2}")
    assert errors(bad) == ["lab.yaml:12: profile 'quick' overrides unknown arm 'bigger'"]


def test_unknown_augmentation_and_arm_name():
    bad = GOOD.replace("small: {lr: 0.01}", "Small-Arm: {augment: [hflip, {solarize: 1}]}")
    problems = errors(bad)
    assert any("unknown augmentation 'solarize'" in p and p.startswith("lab.yaml:14:") for p in problems)
    assert any("arm name 'Small-Arm'" in p for p in problems)


def test_yaml_syntax_error_has_a_line():
    (msg,) = errors("id: x\ntitle: [unclosed\n")
    assert msg.startswith("lab.yaml:") and "YAML syntax error" in msg


def test_conflicting_layers_are_reported():
    bad = GOOD.replace("defaults: {per_class: 5, epochs: 3}", "defaults: {per_class: 5, epochs: 3, train_size: 40}")
    problems = errors(bad)
    assert any("either train_size or per_class" in p for p in problems)


def test_named_datasets_and_unknown_dataset_reference():
    text = GOOD.replace("dataset: {name: digits, size: 32}", "datasets:\n  near: {name: fractals}\n  far: {name: digits}")
    text = text.replace("small: {lr: 0.01}", "small: {lr: 0.01, dataset: far}")
    lab = loads_lab(text, "lab.yaml")
    cfgs = lab.arm_configs()
    assert lab.dataset_key(cfgs["small"]) == "far" and lab.dataset_key(cfgs["big"]) == "near"
    assert set(lab.datasets()) == {"near", "far"}
    bad = text.replace("dataset: far}", "dataset: mid}")
    assert any("unknown dataset 'mid'" in p for p in errors(bad))


def test_unknown_profile_and_arm_selection_are_lab_errors():
    lab = loads_lab(GOOD, "lab.yaml")
    with pytest.raises(LabError, match="no arm 'nope'"):
        lab.arm_configs("quick", ["nope"])
    with pytest.raises(LabError, match="no profile 'slow'"):
        lab.arm_configs("slow")


def test_search_space_is_validated():
    bad = GOOD.replace("hidden: 64", "search: {trials: 3, space: {lr: [0.1, -1]}}")
    assert any("arms.big.search" in p for p in errors(bad))
    bad = GOOD.replace("hidden: 64", "search: {trials: 3, space: {momentum_x: [1]}}")
    assert any("cannot search 'momentum_x'" in p for p in errors(bad))


def test_shipped_labs_are_valid_and_findable():
    files = lab_files()
    assert {p.stem for p in files} >= {"underfitting", "output-layer", "domain-similarity"}
    for path in files:
        lab = load_lab(path)
        assert lab.id == path.stem
        assert lab.file.questions or lab.id == "domain-similarity"
        for profile in ("quick", "full"):
            assert lab.arm_configs(profile)
            assert lab.profile(profile).seeds >= 3
    assert find_lab("underfitting").id == "underfitting"
    assert find_lab(str(paths.labs_dir() / "output-layer.yaml")).id == "output-layer"
    with pytest.raises(LabError, match="no lab named"):
        find_lab("no-such-lab")


def test_shipped_labs_and_questions_link_both_ways():
    """A lab lists exactly the questions that name it, so the app and instructors can go either way."""
    from tutor.bank import load_bank
    from tutor.lab.spec import lab_files, load_lab

    bank = load_bank()
    linked: dict[str, set[str]] = {}
    for question in bank.questions.values():
        if question.lab:
            linked.setdefault(question.lab.id, set()).add(question.id)
    for path in lab_files():
        lab = load_lab(path)
        assert set(lab.file.questions) == linked.get(lab.id, set()), lab.id


def test_instructor_lab_folders_from_tutor_labs(tmp_path, monkeypatch, capsys):
    """A lab in a TUTOR_LABS folder runs by name, is listed, and a question in an instructor's bank may link to it."""
    import shutil
    from pathlib import Path

    from tutor.cli import main
    from tutor.lab.spec import find_lab

    labs = tmp_path / "my-labs"
    labs.mkdir()
    shutil.copy(Path(__file__).parents[1] / "data" / "tiny-lab.yaml", labs / "tiny-lab.yaml")
    bank = tmp_path / "my-bank"
    bank.mkdir()
    (bank / "q.yaml").write_text(
        "questions:\n"
        "  - id: my-tiny-question\n    topic: fitting\n    stem: Do more images help here?\n"
        "    options:\n"
        "      - {key: A, text: 'yes', why: the lab shows it}\n"
        "      - {key: B, text: 'no', why: the lab shows otherwise}\n"
        "    answer: A\n    explanation: See the lab.\n    lab: tiny-lab\n", encoding="utf-8")
    assert main(["questions", "validate", str(bank)]) == 1  # tiny-lab is not a shipped lab
    assert "tiny-lab" in capsys.readouterr().out
    monkeypatch.setenv("TUTOR_LABS", str(labs))
    assert main(["questions", "validate", str(bank)]) == 0
    assert find_lab("tiny-lab").path.endswith("tiny-lab.yaml")
    capsys.readouterr()
    assert main(["labs"]) == 0
    assert "tiny-lab" in capsys.readouterr().out
