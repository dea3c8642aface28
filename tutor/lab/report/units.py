"""The unit a learner reads each lab number in: accuracies in %, their differences in points.

The engine keeps accuracies as fractions (0-1), so a raw margin of 0.451 means 45.1 points. A metric is
accuracy-like by name; a claim whose metric references are all accuracy-like is shown in points, any
other claim (losses, log ratios, epochs) in its own unit. Shared by the terminal report and the quiz app,
so both say the same thing; torch-free, so the app can import it.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from tutor.lab.spec.claims import ClaimSyntaxError, parse_claim
from tutor.lab.spec.settings import kinds

# metrics that are fractions of images (or differences and spreads of accuracies): read as percentages
_FRACTION_SUFFIXES = ("_acc", "_recall")
_FRACTION_NAMES = {"gap"}
# short column headings (the metric's name with spaces otherwise)
COLUMN_NAMES = {"train_acc": "train %", "val_acc": "val %", "gap": "gap", "train_loss": "train loss",
                "val_loss": "val loss", "test_acc": "test %", "seconds": "s/seed", "first_epoch_val_acc": "epoch-1 val %",
                "first_epoch_train_acc": "epoch-1 train %", "best_val_acc": "best val %"}
COUNT_METRICS = {"images_seen", "train_images", "chosen_epoch"}


@functools.cache
def _kinds_units() -> tuple[dict[str, str], dict[str, str]]:
    """What the kinds of experiment say of their metrics: unit ("%" or "count") and column heading."""
    registry = kinds()
    return registry.units(), registry.columns()


def is_fraction_metric(metric: str) -> bool:
    return metric in _FRACTION_NAMES or metric.endswith(_FRACTION_SUFFIXES) or _kinds_units()[0].get(metric) == "%"


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def column_name(metric: str) -> str:
    return COLUMN_NAMES.get(metric) or _kinds_units()[1].get(metric, metric.replace("_", " "))


def fmt_metric(metric: str, value: float | None, sd: float | None = None) -> str:
    """One table cell: `80.1±0.7` for accuracies (gap signed), whole numbers for counts, else 3 figures."""
    if _missing(value):
        return "-"
    has_sd = not _missing(sd)
    if is_fraction_metric(metric):
        s = f"{100 * value:+.1f}" if metric == "gap" else f"{100 * value:.1f}"
        return s + (f"±{100 * sd:.1f}" if has_sd else "")
    if metric == "seconds":
        return f"{value:.1f}"
    if metric in COUNT_METRICS or _kinds_units()[0].get(metric) == "count":
        return f"{value:,.0f}"
    return f"{value:.3g}" + (f"±{sd:.2g}" if has_sd else "")


def in_points(claim_text: str) -> bool:
    """True when every `arm.metric` in the claim is accuracy-like (so its margin reads as points)."""
    try:
        refs = parse_claim(claim_text).refs()
    except ClaimSyntaxError:
        return False
    return bool(refs) and all(is_fraction_metric(metric) for _, metric in refs)


def _num(value: Any, scale: float, signed: bool = False) -> str:
    if _missing(value):
        return "-"
    value = float(value) * scale
    if scale != 1:
        value = round(value, 1) + 0.0  # no "-0.0" for a per-seed margin that rounds to zero
        return f"{value:+.1f}" if signed else f"{value:.1f}"
    return f"{value:+.3g}" if signed else f"{value:.3g}"


def margin_text(claim: dict[str, Any]) -> dict[str, str]:
    """Formatted pieces of a judged claim: mean, sd, lower bound, effect to beat, per_seed, left, right, seeds."""
    num = claim.get("numbers") or {}
    points = in_points(claim.get("text", ""))
    scale, unit = (100.0, " pts") if points else (1.0, "")
    margin = num.get("margin") or {}
    side = (lambda v: f"{_num(v, scale)}%") if points else (lambda v: _num(v, scale))
    return {
        "mean": _num(margin.get("mean"), scale, signed=True) + unit,
        "sd": _num(margin.get("sd"), scale),
        "needed": _num(num.get("needed"), scale),
        "lower": _num(margin.get("lower"), scale, signed=True),
        "effect": _num(num.get("min_effect", num.get("needed")), scale, signed=True),
        "per_seed": ", ".join(_num(v, scale, signed=True) for v in margin.get("per_seed", [])),
        "left": side((num.get("left") or {}).get("mean")),
        "right": side((num.get("right") or {}).get("mean")),
        "seeds": str(num.get("seeds", len(margin.get("per_seed", [])))),
    }


def why_not_shown(claim: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """Why a judged claim neither holds nor has its opposite hold: ("spread", {seeds, needed_seeds, ...}) when
    its mean margin beats the effect but the seeds spread too much for their number, ("small", {...}) when
    the mean itself does not beat it; None for a claim that was decided (or has no numbers)."""
    num = claim.get("numbers") or {}
    if claim.get("holds") or claim.get("opposite_holds") or not num.get("margin"):
        return None
    pieces = margin_text(claim)
    needed = num.get("seeds_to_show")
    if needed:
        return "spread", {**pieces, "needed_seeds": str(needed)}
    return "small", pieces
