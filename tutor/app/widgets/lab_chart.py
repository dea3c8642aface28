"""The live accuracy chart of a running lab: one curve per arm, on one training run's epoch axis.

Each arm shows its latest seed. A search arm trains several trials one after another; drawn end to end
they would stretch the x-axis to every trial's epochs and squeeze the other arms into its left edge, so
its best trial so far (highest validation accuracy) is drawn instead, on the same axis. The axis ends at
the longest arm's epochs per trial, known before the first epoch, so it never jumps while a run goes.
The legend is a line of text of its own (`legend()`): plotext's legend covers the curves, and fails
outright when there are more arms than rows.
"""

from __future__ import annotations

from rich.text import Text
from textual_plotext import PlotextPlot

Points = list[tuple[float, float]]  # (train_acc, val_acc) per epoch
# plotext colour -> the same colour in rich, for the legend line; arms take them in order
COLOURS = {"cyan": "cyan", "orange": "dark_orange", "green": "green", "magenta": "magenta", "red": "red",
           "blue": "blue", "yellow": "yellow", "white": "white"}


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

    def colour(self, arm: str) -> str:
        arms = list(self.epochs) or list(self.curves)
        index = arms.index(arm) if arm in arms else len(arms)
        return list(COLOURS)[index % len(COLOURS)]

    def legend(self) -> Text:
        """One line: each arm drawn so far in its colour (⣿ validation; · training, the running arm only)."""
        line = Text()
        for arm, (_, best) in self.series().items():
            line.append("⣿ ", style=COLOURS[self.colour(arm)])
            line.append(f"{arm} ({self.labels['best']})" if best else arm)
            if arm == self.current:
                line.append(f" {self.labels['tr']} ", style="dim")
                line.append("•", style=COLOURS[self.colour(arm)])
            line.append("   ")
        return line

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
            plt.plot(xs, [v for _, v in points], marker="braille", color=colour)
            if arm == self.current:
                plt.plot(xs, [tr for tr, _ in points], marker="dot", color=colour)
        self.refresh()

    def render(self):
        try:
            return super().render()
        except (IndexError, ValueError, ZeroDivisionError):  # plotext at a size too small to draw: nothing, never a crash
            return ""
