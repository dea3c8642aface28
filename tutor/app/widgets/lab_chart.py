"""The live accuracy chart of a running lab: one curve per arm, on one training run's epoch axis.

Each arm shows its latest seed. A search arm trains several trials one after another; drawn end to end
they would stretch the x-axis to every trial's epochs and squeeze the other arms into its left edge, so
its best trial so far (highest validation accuracy) is drawn instead, on the same axis. The axis ends at
the longest arm's epochs per trial, known before the first epoch, so it never jumps while a run goes.
The legend is text of its own (`legend()`): plotext's legend covers the curves, and fails outright when
there are more arms than rows.

Each arm has its own colour AND its own marker, so the lines can be told apart without colour too (a
monochrome terminal, a colour-blind reader); every arm's training accuracy is drawn as faint dots in its
colour under its validation line, and the legend says so on a line of its own.
"""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Group
from rich.text import Text
from textual_plotext import PlotextPlot

Points = list[tuple[float, float]]  # (train_acc, val_acc) per epoch
# xterm-256 colours far apart in hue and lightness (blue, orange, green, pink, yellow, violet, red, grey),
# and markers: arms take both in order. There are more markers than the largest shipped lab has arms (22),
# so no two arms of a lab share a marker; their count, 23, is prime to the colours' 8, so arms i and i+8
# (which share a colour) never share a marker too, and no two of the first 184 arms look the same.
COLOURS = (33, 208, 40, 199, 226, 141, 160, 250)
MARKERS = ("●", "+", "■", "x", "◆", "*", "▲", "o", "▼", "#", "◇", "%", "□", "@", "△", "&", "=", "~", "$", "<",
           ">", "^", "v")
TRAIN_MARKER = "·"


class LabChart(PlotextPlot):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.curves: dict[str, dict[int, dict[int | None, Points]]] = {}  # arm -> seed -> trial -> points
        self.epochs: dict[str, int] = {}  # arm -> epochs of one training run (one trial of a search)
        self.current: str | None = None
        self.labels = {"val": "val", "tr": "tr", "best": "best trial", "epoch": "epoch"}

    def reset(self, epochs: dict[str, int]) -> None:
        """A new run: no curves (not even the last run's), and the axis of this run's arms."""
        self.curves, self.current = {}, None
        self.epochs = {arm: max(1, int(n)) for arm, n in epochs.items()}
        self.redraw()

    def add(self, arm: str, seed: int, trial: int | None, train_acc: float, val_acc: float) -> None:
        self.current = arm
        self.curves.setdefault(arm, {}).setdefault(seed, {}).setdefault(trial, []).append((train_acc, val_acc))

    def x_max(self) -> int:
        """The last epoch on the x-axis: the longest arm's epochs per training run."""
        if self.epochs:
            return max(self.epochs.values())
        return max((len(p) for p, _ in self.series().values()), default=1)

    def series(self) -> dict[str, tuple[Points, bool]]:
        """Arm -> (the points drawn, whether they are a search's best trial), latest seed of each arm."""
        out: dict[str, tuple[Points, bool]] = {}
        for arm, seeds in self.curves.items():
            if not seeds:
                continue
            trials = seeds[max(seeds)]
            if list(trials) == [None]:
                out[arm] = (trials[None], False)
            else:
                best = max(trials.values(), key=lambda pts: max(v for _, v in pts))
                out[arm] = (best, True)
        return out

    def _index(self, arm: str) -> int:
        arms = list(self.epochs) or list(self.curves)
        return arms.index(arm) if arm in arms else len(arms)

    def colour(self, arm: str) -> int:
        return COLOURS[self._index(arm) % len(COLOURS)]

    def marker(self, arm: str) -> str:
        return MARKERS[self._index(arm) % len(MARKERS)]

    def legend(self) -> Group:
        """Each arm drawn so far as its marker in its colour (an entry never split across lines), then, dim,
        how to read the lines: marked lines are validation accuracy, faint dots training accuracy."""
        entries = []
        for arm, (_, best) in self.series().items():
            entry = Text(f"{self.marker(arm)} ", style=f"bold color({self.colour(arm)})", no_wrap=True)
            entry.append(f"{arm} ({self.labels['best']})" if best else arm, style="default")
            entries.append(entry)
        if not entries:
            return Group()
        return Group(Columns(entries, padding=(0, 3)), Text(self.labels.get("how", ""), style="dim"))

    def redraw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.ylim(0, 1)
        plt.xlim(1, max(2, self.x_max()))
        plt.xlabel(self.labels["epoch"])
        limit = self.x_max()
        for arm, (points, _) in self.series().items():
            points = points[:limit]
            xs = list(range(1, len(points) + 1))
            colour = self.colour(arm)
            plt.plot(xs, [tr for tr, _ in points], marker=TRAIN_MARKER, color=colour)
            plt.plot(xs, [v for _, v in points], marker=self.marker(arm), color=colour)
        self.refresh()

    def render(self):
        try:
            return super().render()
        except (IndexError, ValueError, ZeroDivisionError):  # plotext at a size too small to draw: nothing, never a crash
            return ""
