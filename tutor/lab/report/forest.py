"""The verdict's picture: each claim's mean margin with its 95 % bounds against the effect it had to beat,
grouped by the question it backs (a forest plot), as `claims.png` and drawn in the terminal.

A claim holds when its lower bound (the left end of its bar) is right of the effect it had to beat (the
dotted line); its opposite, when the upper bound is left of minus that effect. Claims on accuracies share
one axis in points; a claim in another unit (a loss, a log ratio, a count) gets an axis of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tutor.lab.report.units import in_points
from tutor.lab.result import NOT_SHOWN, OPPOSITE, SHOWN, ClaimOutcome, LabResult
from tutor.safetext import one_line

STATUS_WORD = {SHOWN: "holds", OPPOSITE: "opposite", NOT_SHOWN: "not shown"}
STATUS_COLOUR = {SHOWN: "tab:green", OPPOSITE: "tab:red", NOT_SHOWN: "tab:orange"}
RICH_STYLE = {SHOWN: "green", OPPOSITE: "red", NOT_SHOWN: "yellow"}


@dataclass(frozen=True)
class Row:
    """One claim on the plot, in its display unit (points for accuracy claims)."""

    label: str  # C1, C2 ... (the claim's number in the lab file's order)
    question: str  # the question it is drawn under ("" = none)
    text: str
    status: str
    mean: float
    lower: float
    upper: float
    effect: float
    points: bool


def _f(value: float | None) -> float:
    return math.nan if value is None else float(value)


def rows(result: LabResult, first: str | None = None) -> list[Row]:
    """The claims with numbers, grouped by question (`first` leading); a claim backing two questions is
    drawn under each."""
    number = {id(c): i + 1 for i, c in enumerate(result.claims)}
    out = []
    for q in result.by_question(first):
        for c in q.claims:
            row = _row(c, f"C{number[id(c)]}", q.id)
            if row is not None:
                out.append(row)
    return out


def _row(c: ClaimOutcome, label: str, question: str) -> Row | None:
    num = c.numbers
    if num is None or num.margin.mean is None:
        return None
    points = in_points(c.text)
    scale = 100.0 if points else 1.0
    m = num.margin
    mean = _f(m.mean) * scale
    lower, upper = _f(m.lower) * scale, _f(m.upper) * scale
    return Row(label, question, c.text, c.status, mean, lower if math.isfinite(lower) else mean,
               upper if math.isfinite(upper) else mean, num.effect * scale, points)


def _span(rs: list[Row]) -> tuple[float, float]:
    values = [v for r in rs for v in (r.lower, r.upper, r.effect, -r.effect if r.status == OPPOSITE else 0.0, 0.0)]
    lo, hi = min(values), max(values)
    pad = 0.05 * (hi - lo or 1.0)
    return lo - pad, hi + pad


# ---------------------------------------------------------------- the terminal


def _bar(r: Row, lo: float, hi: float, width: int) -> str:
    cells = [" "] * width

    def col(x: float) -> int:
        return min(width - 1, max(0, round((x - lo) / (hi - lo) * (width - 1))))

    for i in range(col(r.lower), col(r.upper) + 1):
        cells[i] = "─"
    cells[col(r.lower)] = "["
    cells[col(r.upper)] = ">" if r.upper >= hi else ")"
    cells[col(0.0)] = "|" if cells[col(0.0)] == " " else cells[col(0.0)]
    cells[col(r.effect)] = ":" if cells[col(r.effect)] in (" ", "─") else cells[col(r.effect)]
    cells[col(r.mean)] = "●"
    return "".join(cells)


def _axis(lo: float, hi: float, width: int, unit: str) -> str:
    left, right = f"{lo:+.3g}", f"{hi:+.3g}{unit}"
    return left + " " * max(1, width - len(left) - len(right)) + right


def forest_lines(result: LabResult, width: int | None = None, first: str | None = None) -> list[str]:
    """The forest plot as Rich markup lines: per claim, `[` its 95 % lower bound, `●` its mean margin, `)` its
    upper bound, `:` the effect it had to beat, `|` zero."""
    rs = rows(result, first)
    if not rs:
        return []
    width = max(60, min(width or 100, 120))
    bar_w = max(20, width - 24)
    lines = ["[bold]The verdict's picture[/] (per claim: [ 95% lower bound, ● mean margin, ) upper bound; "
             "it holds when [ is right of : the effect it had to beat; | zero)"]
    pts = [r for r in rs if r.points]
    lo, hi = _span(pts) if pts else (0.0, 1.0)
    if pts:
        lines.append(f"  {'':20}  {_axis(lo, hi, bar_w, ' pts')}")
    question = None
    for r in rs:
        if r.question != question:
            question = r.question
            lines.append(f"  [bold]{one_line(question) if question else 'no linked question'}[/]")
        rlo, rhi = (lo, hi) if r.points else _span([r])
        status = f"[{RICH_STYLE[r.status]}]{STATUS_WORD[r.status]:<9}[/]"
        lines.append(f"  {r.label:>4} {status}  {_bar(r, rlo, rhi, bar_w)}  {r.mean:+.3g}")
        if not r.points:
            lines.append(f"  {'':16}{_axis(rlo, rhi, bar_w, '')}  (own unit)")
    return lines


# ---------------------------------------------------------------- claims.png


def _short(text: str, n: int = 58) -> str:
    text = one_line(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def forest_figure(result: LabResult, plt: Any, first: str | None = None) -> Any:
    """The figure of claims.png (None for a result without judged claims): one row per claim, grouped by
    question; accuracy claims on a shared axis in points."""
    rs = rows(result, first)
    if not rs:
        return None
    pts = [r for r in rs if r.points]
    lo, hi = _span(pts) if pts else (0.0, 1.0)
    heads = len({r.question for r in rs})
    fig = plt.figure(figsize=(10.5, 1.2 + 0.48 * len(rs) + 0.35 * heads))
    grid = fig.add_gridspec(len(rs), 1, hspace=0.0)
    shared = None
    question = None
    for i, r in enumerate(rs):
        ax = fig.add_subplot(grid[i, 0], sharex=shared if r.points else None)
        if r.points and shared is None:
            shared = ax
        _draw_row(ax, r, (lo, hi) if r.points else _span([r]))
        if r.question != question:
            question = r.question
            ax.set_title(f"question: {question}" if question else "claims that back no linked question",
                         loc="left", fontsize=9, fontweight="bold", pad=3)
    fig.suptitle(f"{result.title or result.lab}: each claim's mean margin (dot) with its 95 % bounds (bar) against the\n"
                 f"effect it had to beat (dotted); it holds when the bar's left end is right of that line. "
                 f"Verdict: {result.verdict}", fontsize=10)
    return fig


def _draw_row(ax: Any, r: Row, span: tuple[float, float]) -> None:
    colour = STATUS_COLOUR[r.status]
    ax.set_xlim(*span)
    ax.set_ylim(-1, 1)
    ax.axvline(0.0, color="0.55", lw=0.8)
    ax.axvline(r.effect, color="0.2", lw=1.0, ls=":")
    if r.status == OPPOSITE:
        ax.axvline(-r.effect, color="tab:red", lw=0.8, ls=":")
    ax.plot([r.lower, r.upper], [0, 0], color=colour, lw=2.5, solid_capstyle="butt")
    ax.plot([r.lower], [0], marker="|", ms=12, mew=2.5, color=colour)
    ax.plot([r.mean], [0], marker="o", ms=7, color=colour)
    unit = " pts" if r.points else " (own unit)"
    ax.set_yticks([0], [f"{r.label} {STATUS_WORD[r.status]}: {_short(r.text)}"], fontsize=8)
    ax.tick_params(axis="x", labelsize=7, labelbottom=not r.points)
    ax.text(1.005, 0.5, f"{r.mean:+.3g}{unit}", transform=ax.transAxes, fontsize=7, va="center")
    ax.grid(axis="x", alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
