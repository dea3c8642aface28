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

from tutor.i18n import N_, gettext
from tutor.lab.result import ClaimOutcome, Numbers
from tutor.lab.spec.claims import Claim, ClaimSyntaxError, parse_claim, split_constant
from tutor.lab.spec.registry import kinds

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


def _parsed(claim_text: str) -> Claim | None:
    try:
        return parse_claim(claim_text)
    except ClaimSyntaxError:
        return None


def _expr(node: Any) -> str:
    shown = str(node) if node is not None else "0"
    return shown[1:-1] if shown.startswith("(") and shown.endswith(")") else shown


def margin_text(claim: ClaimOutcome, lang: str = "en") -> dict[str, str]:
    """Formatted pieces of a judged claim. The verdict's: `mean` (the margin), `sd`, `lower`, `effect` (what the
    lower bound had to beat), `per_seed` (margins), `seeds`; `left`/`right` (each side's mean, as the claim
    computes it). And what the table shows: `left_value`/`right_value` (the sides without the number the
    claim adds, named by `left_expr`/`right_expr`), `difference` (of those, in the claim's direction:
    `diff_expr`; `first_*`/`second_*` are the two sides in that order), and `threshold`, the claim's own number the difference must exceed (`+0.0` when none)."""
    num = claim.numbers or Numbers()
    parsed = _parsed(claim.text)
    points = in_points(claim.text)
    scale = 100.0 if points else 1.0

    def unit(number: str) -> str:  # percentage points: "+3.7 pts", in Korean "+3.7%p"
        return gettext(lang, N_("{value} pts"), value=number) if points else number

    side = (lambda v: f"{_num(v, scale)}%") if points else (lambda v: _num(v, scale))
    lc, rc = parsed.constants() if parsed else (0.0, 0.0)
    threshold = parsed.threshold if parsed else 0.0
    lx = _expr(split_constant(parsed.left)[0]) if parsed else "left"
    rx = _expr(split_constant(parsed.right)[0]) if parsed else "right"
    mean = num.margin.mean
    diff_expr = f"{lx} - {rx}" if not parsed or parsed.op == ">" else f"{rx} - {lx}"
    sides = {"left": (lx, side(None if num.left.mean is None else num.left.mean - lc)),
             "right": (rx, side(None if num.right.mean is None else num.right.mean - rc))}
    first, second = ("left", "right") if diff_expr.startswith(lx) else ("right", "left")
    return {
        "mean": unit(_num(mean, scale, signed=True)),
        "sd": _num(num.margin.sd, scale),
        "needed": _num(num.needed, scale),
        "lower": _num(num.margin.lower, scale, signed=True),
        "effect": _num(num.effect, scale, signed=True),
        "per_seed": ", ".join(_num(v, scale, signed=True) for v in num.margin.per_seed),
        "left": side(num.left.mean),
        "right": side(num.right.mean),
        "seeds": str(num.n),
        "left_expr": lx,
        "right_expr": rx,
        "left_value": sides["left"][1],
        "right_value": sides["right"][1],
        "first_expr": sides[first][0], "first_value": sides[first][1],  # the side the claim says is larger
        "second_expr": sides[second][0], "second_value": sides[second][1],
        "diff_expr": diff_expr,
        "difference": unit(_num(None if mean is None else mean + threshold, scale, signed=True)),
        "threshold": unit(_num(threshold, scale, signed=True)),
        "has_threshold": "yes" if threshold else "",
    }


def why_not_shown(claim: ClaimOutcome) -> tuple[str, dict[str, str]] | None:
    """Why a judged claim neither holds nor has its opposite hold: ("spread", {seeds, needed_seeds, ...}) when
    its mean margin beats the effect but the seeds spread too much for their number, ("small", {...}) when
    the mean itself does not beat it; None for a claim that was decided (or has no numbers)."""
    why = claim.why_not_shown()
    if why is None:
        return None
    pieces = margin_text(claim)
    if why == "spread":
        return "spread", {**pieces, "needed_seeds": str(claim.numbers.seeds_to_show)}
    return "small", pieces
