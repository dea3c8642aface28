"""Kinds of experiment arms, one module each, found at run time: the loop, the runner, the spec and the report
never name one. Adding a kind = one new module here (see labs/README.md, "Adding a kind of experiment").

A kind module may define any of these (all optional):

    ORDER = 50                        where it comes among the kinds: its settings, callbacks, metrics and
                                      description parts follow this order (low first)
    class Settings(ArmSettings)       its arm settings: fields of the lab file's arms (pydantic, torch-free)
    METRICS = {name: help}            the metrics it adds (claims and `show:` may name them)
    UNITS = {name: "%" | "count"}     how they read: percentages (fractions 0-1), whole numbers; else 3 figures
    COLUMNS = {name: heading}         short table headings
    check(cfg) -> str | None          a rule on the merged settings: the message when it is broken
    check_data(cfg, size) -> str | None   a rule on the merged settings and the arm's image size (px)
    describe(cfg) -> list[str]        its parts of the arm's one-line description
    describe_arm(cfg) -> str | None   the whole description, for an arm of another shape (a plain net)
    callbacks(cfg) -> list[Callback]  what it does in the training loop (tutor.lab.training.callback)
    build_model(cfg, data, parts, device) -> (model, head_params, backbone_params) | None
                                      its own network instead of the backbone and head (None: not its arm)
    trainer(cfg) -> function | None   its own way to train this arm (a search, prototypes):
                                      function(cfg, data, parts, fit, seed=, arm=) yields EpochEnd and
                                      returns a SeedResult; `fit(cfg)` runs the training loop
    epochs(cfg) -> int | None         epochs per seed for the progress bars when `run` differs
    needs_images(cfg) -> bool         the arm must see images every step (no cached features)
    uses_backbone(cfg) -> bool        False when no backbone stage is involved
    feature_key(cfg) -> dict          extra cache key of its frozen features (an input transform)
    adapt_backbone(cfg, net) -> net   the backbone as this arm feeds it (a copy when it changes it)
    plot(result, out_dir, plt) -> list[Path]   its figures of a finished lab

Module tops import no torch (the spec reads `Settings` and `METRICS` in the quiz app); import torch inside
functions. Only `tutor.lab.spec.settings` may be imported from the spec at the top.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any


@functools.cache
def all_kinds() -> tuple[ModuleType, ...]:
    """Every kind module of this package, in (ORDER, name) order."""
    mods = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
            if not info.name.startswith("_")]
    return tuple(sorted(mods, key=lambda m: (getattr(m, "ORDER", 50), m.__name__)))


def _having(attr: str) -> list[Any]:
    return [getattr(m, attr) for m in all_kinds() if hasattr(m, attr)]


def settings_classes() -> list[type]:
    return _having("Settings")


def metrics() -> dict[str, str]:
    out: dict[str, str] = {}
    for table in _having("METRICS"):
        out.update(table)
    return out


def units() -> dict[str, str]:
    out: dict[str, str] = {}
    for table in _having("UNITS"):
        out.update(table)
    return out


def columns() -> dict[str, str]:
    out: dict[str, str] = {}
    for table in _having("COLUMNS"):
        out.update(table)
    return out


def check(cfg) -> None:
    """Raise ValueError with the first merged-settings rule that `cfg` breaks."""
    for rule in _having("check"):
        msg = rule(cfg)
        if msg:
            raise ValueError(msg)


def check_data(cfg, size: int) -> None:
    """Raise ValueError with the first rule on the settings and the image size that `cfg` breaks."""
    for rule in _having("check_data"):
        msg = rule(cfg, size)
        if msg:
            raise ValueError(msg)


def describe_arm(cfg) -> str | None:
    return next((d for d in (f(cfg) for f in _having("describe_arm")) if d), None)


def describe(cfg) -> list[str]:
    return [part for f in _having("describe") for part in f(cfg)]


def callbacks(cfg) -> list[Any]:
    return [cb for f in _having("callbacks") for cb in f(cfg)]


def build_model(cfg, data, parts, device):
    """The first kind's own network for this arm, or None (the backbone and head)."""
    for f in _having("build_model"):
        built = f(cfg, data, parts, device)
        if built is not None:
            return built
    return None


def trainer(cfg):
    """The first kind's own way to train this arm (search, prototypes), or None (the training loop)."""
    return next((t for t in (f(cfg) for f in _having("trainer")) if t is not None), None)


def dispatched(cfg) -> str | None:
    """The kind that takes this arm out of the plain training loop: its own trainer (a search, prototypes),
    else its own network without a backbone (a plain net); None for the loop on a backbone. For timings."""
    for attr, claims in (("trainer", lambda v: v is not None), ("uses_backbone", lambda v: not v)):
        for m in all_kinds():
            if hasattr(m, attr) and claims(getattr(m, attr)(cfg)):
                return m.__name__.rsplit(".", 1)[-1]
    return None


def epochs(cfg) -> int:
    return next((n for n in (f(cfg) for f in _having("epochs")) if n is not None), cfg.epochs)


def needs_images(cfg) -> bool:
    return any(f(cfg) for f in _having("needs_images"))


def uses_backbone(cfg) -> bool:
    return all(f(cfg) for f in _having("uses_backbone"))


def feature_key(cfg) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in _having("feature_key"):
        out.update(f(cfg))
    return out


def adapt_backbone(cfg, net):
    for f in _having("adapt_backbone"):
        net = f(cfg, net)
    return net


def plots(result: Any, out_dir: Path, plt) -> list[Path]:  # a tutor.lab.result.LabResult
    return [path for f in _having("plot") for path in f(result, out_dir, plt)]
