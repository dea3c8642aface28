"""A hyperparameter search inside one arm (`search:`): `trials` settings drawn from a grid (`space`), each
trained in full; the arm reports the trial best on validation (never test), and its budget counts every
trial's images. The trials a seed tries are drawn with that seed.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError, field_validator

from tutor.lab.events import EpochEnd
from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.spec.settings import ArmSettings, CoreSettings

if TYPE_CHECKING:
    from tutor.lab.kinds.base import Fit, Trainer
    from tutor.lab.training.arm import ArmData, ModelParts, SeedResult

# what a search may try: core settings (the optimiser's, the head's, the penalties in the loss)
SEARCHABLE = ("lr", "backbone_lr", "weight_decay", "dropout", "hidden", "batch_size", "optimizer", "l1", "l2")


class Search(ArmSettings):
    """A hyperparameter search inside one arm: `trials` settings drawn from `space`, best on validation."""

    trials: Annotated[int, Field(ge=1, le=64)] = 8
    space: dict[str, list[Any]] = Field(default_factory=dict)  # checked non-empty once the layers are merged

    @field_validator("space")
    @classmethod
    def _space(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, options in value.items():
            if key not in SEARCHABLE:
                raise ValueError(f"cannot search '{key}' (searchable: {', '.join(SEARCHABLE)})")
            if not isinstance(options, list) or not options:
                raise ValueError(f"'{key}' needs a non-empty list of values")
            for option in options:  # each candidate must itself be a valid arm setting
                try:
                    CoreSettings.model_validate({key: option})
                except ValidationError as exc:
                    msg = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
                    raise ValueError(f"'{key}' candidate {option!r}: {msg}") from None
        return value


class Settings(CoreSettings):
    search: Search | None = None


class SearchKind(Kind[Settings]):
    name = "search"
    settings = Settings

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        if cfg.search is not None and not cfg.search.space:
            return "search needs a space with at least one setting, e.g. {lr: [0.001, 0.01]}"
        return None

    def describe(self, cfg: Settings) -> list[str]:
        return [f"search {cfg.search.trials} trials"] if cfg.search else []

    def epochs(self, cfg: Settings) -> int | None:
        return epochs(cfg)

    def trainer(self, cfg: Settings) -> Trainer | None:
        return run if cfg.search is not None else None


def epochs(cfg: Settings) -> int | None:
    """Epochs per seed, every trial counted (progress totals)."""
    if cfg.search is None:
        return None
    grid = math.prod(len(v) for v in cfg.search.space.values())
    return cfg.epochs * min(cfg.search.trials, grid)


def search_trials(cfg: Settings, seed: int) -> list[dict[str, Any]]:
    """The settings a search tries for a seed: `trials` distinct points of the grid, drawn with the seed. The grid
    is never built: points are drawn by their index in `itertools.product` order (the same draws as sampling the
    built grid), so a space of many long lists (10^20 points) costs no more than a small one."""
    assert cfg.search is not None
    space = cfg.search.space
    keys = list(space)
    size = math.prod(len(space[k]) for k in keys)

    def point(index: int) -> dict[str, Any]:
        values = {}
        for key in reversed(keys):  # the last key varies fastest, as in itertools.product
            index, rest = divmod(index, len(space[key]))
            values[key] = space[key][rest]
        return {key: values[key] for key in keys}

    rng = random.Random(seed)
    return [point(i) for i in rng.sample(range(size), min(cfg.search.trials, size))]


def run(cfg: Settings, data: ArmData, parts: ModelParts, fit: Fit, *, seed: int, arm: str,
        ) -> Generator[EpochEnd, None, SeedResult]:
    """Every trial through the training loop; returns the best trial's SeedResult (on validation)."""
    from tutor.lab.training.arm import SeedResult

    t0 = time.perf_counter()
    total = epochs(cfg)
    best: tuple[float, Any, dict[str, Any]] = (-1.0, None, {})
    seen = 0.0
    base = cfg.model_dump(exclude={"search"})
    for i, params in enumerate(search_trials(cfg, seed)):
        trial_cfg = type(cfg).model_validate({**base, **params})
        res = yield from fit(trial_cfg, epoch_offset=i * cfg.epochs, total_epochs=total, trial=i + 1)
        seen += res.metrics["images_seen"]
        if res.metrics["val_acc"] > best[0]:
            best = (res.metrics["val_acc"], res, params)
    assert best[1] is not None
    metrics = dict(best[1].metrics)
    metrics["images_seen"] = seen
    metrics["seconds"] = time.perf_counter() - t0
    return SeedResult(metrics, best[1].history, chosen=best[2])
