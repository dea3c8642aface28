"""Every shipped lab's quick profile, really trained, with the verdict the runs give (slow: ~1 min each).

The verdicts are what the experiments show on the shipped tutornet, not what the notes claim; when a
claim does not reproduce, the lab keeps it and the question's explanation says what was measured.
Only clear-cut claims are asserted one by one (a claim near the 2-sd threshold may flip on another CPU).
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from tutor.lab.runner import run_lab  # noqa: E402
from tutor.lab.spec import find_lab  # noqa: E402

# lab -> (verdict, {claim text: expected status}) ; status: "holds" | "not shown" | "opposite holds"
EXPECTED = {
    "underfitting": ("inconclusive", {
        "more_data.val_acc > dropout.val_acc": "holds",
        "more_data.val_acc > deeper.val_acc": "holds",
        "deeper.train_acc - baseline.train_acc > deeper.val_acc - baseline.val_acc": "holds",
        "dropout.train_acc < baseline.train_acc + 0.02": "holds",
        "more_data.test_acc > search.test_acc": "not shown",
    }),
    "output-layer": ("inconclusive", {
        "fresh_output.val_acc > scratch.val_acc + 0.2": "holds",
        "fresh_output.val_acc > old_output_only.val_acc + 0.2": "holds",
    }),
    "domain-similarity": ("inconclusive", {
        "near_large_finetune.val_acc > near_large_extract.val_acc": "not shown",
        "far_small_finetune.val_acc > far_small_extract.val_acc": "holds",
        "far_large_finetune.val_acc > far_large_extract.val_acc": "holds",
    }),
}


def _status(claim: dict) -> str:
    return "holds" if claim["holds"] else ("opposite holds" if claim["opposite_holds"] else "not shown")


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", sorted(EXPECTED))
def test_quick_profile_verdict(lab_id, tmp_path):
    final = list(run_lab(find_lab(lab_id), profile="quick", out=tmp_path))[-1]
    assert final.kind == "lab_finished"
    result = final.result
    statuses = {c["text"]: _status(c) for c in result["claims"]}
    verdict, expected = EXPECTED[lab_id]
    for text, status in expected.items():
        assert statuses[text] == status, (text, result["claims"])
    assert result["verdict"] == verdict, statuses
    assert len(result["seeds"]) >= 3
    assert (tmp_path / "result.json").exists() and (tmp_path / "curves.png").exists()


@pytest.mark.slow
def test_reversed_shipped_claims_are_not_reproduced(tmp_path):
    """The underfitting lab with its first claim reversed (dropout beats more data) is not reproduced."""
    from tutor.lab.spec import load_lab

    text = find_lab("underfitting").path
    source = open(text, encoding="utf-8").read().replace(
        "claim: more_data.val_acc > dropout.val_acc", "claim: dropout.val_acc > more_data.val_acc")
    path = tmp_path / "reversed.yaml"
    path.write_text(source, encoding="utf-8")
    lab = load_lab(path)
    final = list(run_lab(lab, arms=["baseline", "dropout", "more_data"], write=False))[-1]
    reversed_claim = next(c for c in final.result["claims"] if c["text"] == "dropout.val_acc > more_data.val_acc")
    assert reversed_claim["opposite_holds"]
    assert final.verdict == "contradicted"
