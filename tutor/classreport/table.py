"""The report in the terminal: one row per question, the flagged ones with their file and line, the
misconceptions most held, and alpha. Every text from files passes through `one_line`."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from tutor.safetext import one_line


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _r(x: float) -> str:
    return f"{x:.2f}".replace("0.", ".", 1)


def items_table(report) -> Table:
    """One row per question, narrow enough for 80 columns: facility % (95 % CI), discrimination (95 % CI),
    each option's share in % (* the key, ! non-functioning)."""
    table = Table(title=f"{report.learners} learners, {report.answers} answers "
                        f"({'first attempts' if report.first_attempts_only else 'all attempts'})",
                  box=box.SIMPLE_HEAD, pad_edge=False, expand=False)
    for name, justify in (("question", "left"), ("n", "right"), ("facility %", "right"), ("discrimination", "right"),
                          ("options % (*key !dead)", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for item in report.items:
        lo, hi = item.facility_ci
        fac = f"{100 * item.facility:.0f} ({100 * lo:.0f}-{100 * hi:.0f})"
        if item.discrimination is None:
            disc = "-"
        else:
            dl, dh = item.discrimination_ci or (item.discrimination, item.discrimination)
            disc = f"{_r(item.discrimination)} ({_r(dl)}, {_r(dh)})"
        opts = " ".join(f"{o.key}{'*' if o.correct else ''}{'!' if o.flags else ''}{100 * o.share:.0f}" for o in item.options)
        style = "bold red" if item in report.flagged else ""
        table.add_row(Text(one_line(item.question), style=style), str(item.n), fac, disc, one_line(opts))
    return table


def flagged_lines(report) -> list[str]:
    """`FILE:LINE: question: flags` for each dubious item, so the instructor fixes it where it lives."""
    lines = []
    for item in report.flagged:
        dead = [o.key for o in item.options if o.flags]
        flags = [f for f in item.flags] + ([f"non-functioning distractor(s) {', '.join(dead)}"] if dead else [])
        lines.append(one_line(f"{item.origin}: {item.question}: {'; '.join(flags)}"))
    for item in report.items:
        dead = [o.key for o in item.options if o.flags]
        if dead and item not in report.flagged:
            lines.append(one_line(f"{item.origin}: {item.question}: non-functioning distractor(s) {', '.join(dead)} (under 5 %)"))
    return lines


def misconceptions_table(report, top: int = 10) -> Table:
    table = Table(title="Misconceptions (share of the learners offered one of its distractors who hold it)",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (("misconception", "left"), ("holders", "right"), ("share", "right"), ("95% CI", "right"),
                          ("chosen / chances", "right")):
        table.add_column(name, justify=justify, overflow="fold")
    for m in report.misconceptions[:top]:
        table.add_row(one_line(m.id), f"{m.holders}/{m.offered}", _pct(m.share),
                      f"{_pct(m.share_ci[0])}..{_pct(m.share_ci[1])}", f"{m.chosen}/{m.chances}")
    return table


def alpha_line(report) -> str:
    a = report.alpha or {}
    if a.get("value") is None:
        return "Cronbach's alpha: not computable (too few learners or items in common)"
    ci = f", 95% CI {a['ci'][0]:.2f}..{a['ci'][1]:.2f} (Feldt)" if a.get("ci") else " (pairwise: learners answered different items; no interval)"
    return f"Cronbach's alpha {a['value']:.2f} over {a['items']} items and {a['learners']} learners{ci}"
