"""The PNG: facility against discrimination, one labelled point per question with its intervals, the dubious
regions shaded. matplotlib (Agg) is imported here only, when a report is written."""

from __future__ import annotations

from pathlib import Path

from tutor.classreport.report import LOW_DISCRIMINATION, VERY_EASY, VERY_HARD


def plot(report, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tutor.atomic import atomic_open

    fig, ax = plt.subplots(figsize=(10, 7), dpi=120)
    ax.axhspan(-1, LOW_DISCRIMINATION, color="#f4cccc", alpha=0.5, lw=0, label=f"discrimination < {LOW_DISCRIMINATION}")
    ax.axvspan(VERY_EASY, 1.02, color="#fce5cd", alpha=0.6, lw=0, label=f"facility > {VERY_EASY:.0%}")
    ax.axvspan(-0.02, VERY_HARD, color="#fce5cd", alpha=0.6, lw=0, label=f"facility < {VERY_HARD:.0%}")
    flagged = set(id(i) for i in report.flagged)
    for item in report.items:
        if item.discrimination is None:
            continue
        bad = id(item) in flagged
        colour = "#b00020" if bad else "#1f4e79"
        lo, hi = item.discrimination_ci or (item.discrimination, item.discrimination)
        ax.errorbar(item.facility, item.discrimination,
                    xerr=[[item.facility - item.facility_ci[0]], [item.facility_ci[1] - item.facility]],
                    yerr=[[item.discrimination - lo], [hi - item.discrimination]],
                    fmt="o", ms=4, color=colour, ecolor=colour, elinewidth=0.5, alpha=0.8)
        ax.annotate(item.question, (item.facility, item.discrimination), xytext=(3, 3), textcoords="offset points",
                    fontsize=6, color=colour)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(min(-0.2, min((i.discrimination for i in report.items if i.discrimination is not None), default=0) - 0.05), 1.0)
    ax.set_xlabel("facility (share of answers right), 95% Wilson interval")
    ax.set_ylabel("discrimination (item-rest correlation), 95% interval")
    scope = "first attempts" if report.first_attempts_only else "all attempts"
    ax.set_title(f"Items of {report.learners} learners ({scope}); red: dubious items")
    ax.legend(loc="lower center", fontsize=8, ncols=3)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png")
    plt.close(fig)
    return path
