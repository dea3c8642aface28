"""Metrics read in %, claim margins in percentage points when the claim compares accuracies, in their own unit otherwise."""

from tutor.lab.units import fmt_metric, in_points, margin_text


def _claim(text, mean, sd, per_seed, left=0.9, right=0.5):
    return {"text": text, "numbers": {"margin": {"mean": mean, "sd": sd, "per_seed": per_seed},
                                      "needed": 2 * sd, "seeds": len(per_seed),
                                      "left": {"mean": left}, "right": {"mean": right}}}


def test_accuracy_claims_are_in_points():
    assert in_points("a.val_acc > b.val_acc + 0.2")
    assert in_points("a.gap < b.gap") and in_points("a.minority_recall > b.minority_recall")
    m = margin_text(_claim("a.val_acc > b.val_acc + 0.2", 0.451, 0.0698, [0.427, 0.529, 0.396]))
    assert m["mean"] == "+45.1 pts" and m["sd"] == "7.0" and m["needed"] == "14.0"
    assert m["per_seed"] == "+42.7, +52.9, +39.6" and m["left"] == "90.0%" and m["right"] == "50.0%"


def test_other_claims_keep_their_unit():
    assert not in_points("a.final_loss < b.final_loss")
    assert not in_points("a.val_acc > b.final_loss")  # mixed: no single unit
    assert not in_points("not a claim ((")
    m = margin_text(_claim("a.final_loss < b.final_loss", 97.175, 0.828, [97.0, 96.5, 98.0], 2.8, 100.0))
    assert m["mean"] == "+97.2" and m["right"] == "100"


def test_table_cells():
    assert fmt_metric("val_acc", 0.7731, 0.0071) == "77.3±0.7"
    assert fmt_metric("gap", 0.028) == "+2.8"
    assert fmt_metric("minority_recall", 0.634) == "63.4"
    assert fmt_metric("params", 81960.0) == "81,960"
    assert fmt_metric("final_loss", 0.1934, 0.012) == "0.193±0.012"
    assert fmt_metric("val_acc", float("nan")) == fmt_metric("val_acc", None) == "-"
