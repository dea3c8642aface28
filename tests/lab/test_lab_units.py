"""Metrics read in %, claim margins in percentage points when the claim compares accuracies, in their own unit otherwise."""

from tutor.lab.report.units import fmt_metric, in_points, margin_text
from tutor.lab.result import ClaimOutcome, LabResult


def _claim(text, mean, sd, per_seed, left=0.9, right=0.5, **more):
    return ClaimOutcome.model_validate({"text": text, **more, "numbers": {
        "margin": {"mean": mean, "sd": sd, "per_seed": per_seed}, "needed": 2 * sd, "seeds": len(per_seed),
        "left": {"mean": left}, "right": {"mean": right}}})


def test_accuracy_claims_are_in_points():
    assert in_points("a.val_acc > b.val_acc + 0.2")
    assert in_points("a.gap < b.gap") and in_points("a.minority_recall > b.minority_recall")
    m = margin_text(_claim("a.val_acc > b.val_acc + 0.2", 0.451, 0.0698, [0.427, 0.529, 0.396]))
    assert m["mean"] == "+45.1 pts" and m["sd"] == "7.0" and m["needed"] == "14.0"
    assert m["per_seed"] == "+42.7, +52.9, +39.6" and m["left"] == "90.0%" and m["right"] == "50.0%"


def test_a_tolerance_is_shown_as_what_it_is():
    """`a > b - 0.02`: the arms' values as the table has them, their difference, and the tolerance apart (the
    claim's right side, b - 0.02, is never shown as if it were b)."""
    m = margin_text(_claim("dropout.val_acc > baseline.val_acc - 0.02", 0.003, 0.01, [0.0, 0.006], 0.730, 0.727))
    assert (m["left_expr"], m["left_value"]) == ("dropout.val_acc", "73.0%")
    assert (m["right_expr"], m["right_value"]) == ("baseline.val_acc", "74.7%")  # 72.7 + 2 points: the table's value
    assert m["difference"] == "-1.7 pts" and m["threshold"] == "-2.0 pts" and m["mean"] == "+0.3 pts"
    m = margin_text(_claim("a.gap < b.gap + 0.05", 0.13, 0.01, [0.13, 0.13], 0.10, 0.23))
    assert m["diff_expr"] == "b.gap - a.gap" and m["difference"] == "+8.0 pts" and m["threshold"] == "-5.0 pts"
    assert margin_text(_claim("a.val_acc > b.val_acc", 0.1, 0.01, [0.1, 0.1]))["has_threshold"] == ""


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


def test_a_margin_that_rounds_to_zero_has_no_minus_sign():
    m = margin_text(_claim("a.val_acc > b.val_acc", 0.001, 0.002, [-0.0002, 0.002]))
    assert m["per_seed"] == "+0.0, +0.2"


def _result(show):
    arm = {m: {"mean": 0.5, "sd": 0.01} for m in ("train_acc", "val_acc", "gap", "train_loss", "val_loss",
                                                   "test_acc", "seconds", *show)}
    return LabResult.model_validate({"lab": "t", "title": "T", "seeds": [0, 1, 2], "show": list(show),
                                     "arms": {"a": arm, "b": arm}, "claims": [{"text": "a.act_log_ratio > -0.5"}]})


def test_narrow_terminals_get_every_number_whole():
    import io

    from rich.console import Console

    from tutor.lab.report.console import arms_tables, extra_metrics

    many = ("balanced_acc", "minority_recall", "test_balanced_acc", "test_minority_recall")
    assert extra_metrics(_result(many)) == [*many, "act_log_ratio"]  # "-0.5" is a number, not a metric
    wide = arms_tables(_result(many), 160)
    assert len(wide) == 1 and len(wide[0].columns) == 1 + 7 + 5
    narrow = arms_tables(_result(many), 80)
    assert [len(t.columns) for t in narrow] == [1 + 5, 1 + 5]  # no losses; the lab's own columns apart
    out = io.StringIO()
    for table in narrow:
        Console(file=out, width=80).print(table)
    assert "…" not in out.getvalue() and max(len(line) for line in out.getvalue().splitlines()) <= 80


def test_claims_in_the_learners_language():
    from tutor.lab.report.console import claim_lines

    claim = _claim("a.val_acc > b.val_acc", 0.1, 0.01, [0.1, 0.11, 0.09], holds=True,
                   says={"en": "a beats b", "ko": "a가 b보다 낫다"})
    result = LabResult(lab="t", claims=[claim])
    assert any("a beats b" in line for line in claim_lines(result))
    ko = claim_lines(result, "ko")
    assert any("a가 b보다 낫다" in line for line in ko) and not any("a beats b" in line for line in ko)


def test_a_claim_not_shown_says_why():
    from tutor.lab.report.units import why_not_shown

    base = {"text": "a.val_acc > b.val_acc", "holds": False, "opposite_holds": False}
    numbers = {"margin": {"mean": 0.024, "sd": 0.043, "lower": -0.005, "per_seed": [0.0] * 8},
               "min_effect": 0.01, "needed": 0.01, "seeds": 8, "seeds_to_show": 28}
    spread = ClaimOutcome.model_validate({**base, "numbers": numbers})
    assert why_not_shown(spread) == ("spread", {**why_not_shown(spread)[1], "needed_seeds": "28"})
    small = ClaimOutcome.model_validate({**base, "numbers": {**numbers, "seeds_to_show": None}})
    assert why_not_shown(small)[0] == "small"
    assert why_not_shown(spread.model_copy(update={"holds": True})) is None
