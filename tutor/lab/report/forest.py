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

from rich.markup import escape

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
    bar_w = max(20, width - 28)
    lines = [("[bold]The verdict's picture[/] (per claim: [ 95% lower bound, ● mean margin, ) upper bound; "
              "it holds when [ is right of : the effect it had to beat; | zero)")]
    pts = [r for r in rs if r.points]
    lo, hi = _span(pts) if pts else (0.0, 1.0)
    if pts:
        lines.append(f"  {'':16}  {_axis(lo, hi, bar_w, ' pts')}")
    question = None if any(r.question for r in rs) else ""  # a lab whose claims back no question: no headings
    for r in rs:
        if r.question != question:
            question = r.question
            lines.append(f"  [bold]{escape(one_line(question)) if question else 'no linked question'}[/]")
        rlo, rhi = (lo, hi) if r.points else _span([r])
        status = f"[{RICH_STYLE[r.status]}]{STATUS_WORD[r.status]:<9}[/]"
        lines.append(f"  {r.label:>4} {status}   {_bar(r, rlo, rhi, bar_w)} {r.mean:+.3g}")
        if not r.points:
            lines.append(f"  {'':16}  [dim]{_axis(rlo, rhi, bar_w, ' (own unit)')}[/]")
    return lines


# ---------------------------------------------------------------- claims.png


def _short(text: str, n: int = 56) -> str:
    text = one_line(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def forest_figure(result: LabResult, plt: Any, first: str | None = None) -> Any:
    """The figure of claims.png (None for a result without judged claims): the accuracy claims on one axis in
    points, grouped by question; below it, each claim in another unit on an axis of its own."""
    rs = rows(result, first)
    if not rs:
        return None
    pts, others = [r for r in rs if r.points], [r for r in rs if not r.points]
    grouped = any(r.question for r in rs)
    slots = _slots(pts) if grouped else list(pts)
    # rows in inches: the points axis, then per other claim a gap (its title, the axis above's label) and its axis
    ratios = ([0.4 + 0.3 * len(slots)] if pts else []) + [0.85, 0.45] * len(others)
    ratios = ratios[1:] if not pts else ratios
    fig = plt.figure(figsize=(11.0, 1.5 + sum(ratios)))
    grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios, hspace=0.0)
    if pts:
        ax = fig.add_subplot(grid[0, 0])
        _draw(ax, slots, _span(pts))
        ax.set_xlabel("margin in points (the claim's difference less its own threshold); the dotted tick: the effect "
                      "it had to beat", fontsize=8)
    question = None
    for i, r in enumerate(others):
        ax = fig.add_subplot(grid[2 * i + (2 if pts else 0), 0])
        _draw(ax, [r], _span([r]))
        ax.set_xlabel("margin in the claim's own unit", fontsize=8)
        if grouped and r.question != question:
            question = r.question
            ax.set_title(f"question: {question}" if question else "claims that back no linked question", loc="left",
                         fontsize=8, fontweight="bold")
    fig.suptitle(f"{result.title or result.lab}: the claims the verdict rests on (verdict: {result.verdict})\n"
                 "dot = mean margin over the seeds, bar = 95 % bounds; a claim holds when its bar starts right of "
                 "its dotted tick", fontsize=10)
    handles = [plt.Line2D([], [], color=STATUS_COLOUR[s], marker="o", lw=2.5, label=STATUS_WORD[s])
               for s in (SHOWN, NOT_SHOWN, OPPOSITE)]
    fig.axes[0].legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=8, frameon=False)
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.4, right=0.91, top=1 - 1.0 / height, bottom=0.5 / height)
    return fig


def _slots(rs: list[Row]) -> list[Row | str]:
    """Rows top to bottom with a heading (the question's id) before each question's claims."""
    out: list[Row | str] = []
    question = None
    for r in rs:
        if r.question != question:
            question = r.question
            out.append(f"question: {question}" if question else "claims that back no linked question")
        out.append(r)
    return out


def _draw(ax: Any, slots: list[Row | str], span: tuple[float, float]) -> None:
    n = len(slots)
    ax.set_xlim(*span)
    ax.set_ylim(n - 0.4, -0.6)
    ax.axvline(0.0, color="0.6", lw=0.8)
    labels = []
    for y, slot in enumerate(slots):
        if isinstance(slot, str):
            labels.append(slot)
            continue
        colour = STATUS_COLOUR[slot.status]
        ax.vlines(slot.effect, y - 0.38, y + 0.38, colors="0.1", linestyles=":", lw=1.3)
        if slot.status == OPPOSITE:
            ax.vlines(-slot.effect, y - 0.38, y + 0.38, colors="tab:red", linestyles=":", lw=1.0)
        ax.plot([slot.lower, slot.upper], [y, y], color=colour, lw=2.5, solid_capstyle="butt")
        ax.plot([slot.lower], [y], marker="|", ms=11, mew=2.5, color=colour)
        ax.plot([slot.mean], [y], marker="o", ms=7, color=colour)
        ax.annotate(f"{slot.mean:+.3g}{' pts' if slot.points else ''}", (1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(6, 0), textcoords="offset points", fontsize=7.5, va="center")
        labels.append(f"{slot.label}: {_short(slot.text)}")
    ax.set_yticks(range(n), labels, fontsize=8)
    for tick, slot in zip(ax.get_yticklabels(), slots):
        if isinstance(slot, str):
            tick.set_fontweight("bold")
        else:  # the claim's status in its label's colour too (the legend names them)
            tick.set_color(STATUS_COLOUR[slot.status] if slot.status != SHOWN else "black")
    ax.tick_params(axis="x", labelsize=7.5)
    ax.grid(axis="x", alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
