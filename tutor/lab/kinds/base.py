"""`Kind`: what a kind of experiment may bring to a lab, every hook with a default that does nothing (after
fastai's callbacks and minGPT's configs). A kind subclasses it, overrides the hooks it needs and is listed
once in `tutor.lab.kinds.KINDS`. Torch-free: the quiz app validates lab files with the kinds' settings.

A kind reads only its own settings and the core settings: its hooks receive the arm's configuration typed
as its `Settings` (the core settings plus its own fields; the composed `ArmConfig` subclasses every kind's).
What it must know of the other kinds (does any need images every step? train the arm its own way?) comes
as `Traits`, which the registry gathers from every kind's hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

if TYPE_CHECKING:
    import numpy as np
    import torch
    from torch import nn

    from tutor.lab.events import EpochEnd
    from tutor.lab.training.arm import ArmData, ModelParts, SeedResult

    Built = tuple[nn.Module, list[nn.Parameter], list[nn.Parameter]]  # (model, head params, backbone params)
    Fit = Callable[..., Generator[EpochEnd, None, SeedResult]]  # the training loop on a configuration
    Trainer = Callable[..., Generator[EpochEnd, None, SeedResult]]  # (cfg, data, parts, fit, *, seed, arm)

S_contra = TypeVar("S_contra", bound=CoreSettings, contravariant=True)


@dataclass(frozen=True)
class Traits:
    """What the kinds together make of one arm, for a kind's rule or callbacks that depend on the others."""

    trainers: tuple[str, ...] = ()  # kinds that train the arm their own way (a search, prototypes), in order
    needs_images: bool = False  # some kind needs the images every step (no cached features)
    uses_backbone: bool = True  # no kind replaces the backbone with a network of its own (a plain net)
    trains: bool = True  # the arm's weights learn by gradient steps (False: nearest class prototypes)


class Kind(Generic[S_contra]):
    """A kind of experiment. Class attributes: `name` (its lab-file and timing name), `settings` (its
    `Settings`: CoreSettings plus its fields, validated flat with every other kind's), `metrics` (name ->
    help: what claims and `show:` may name), `units` (name -> "%" or "count"), `columns` (short headings)."""

    name: ClassVar[str]
    settings: ClassVar[type[CoreSettings]] = CoreSettings
    metrics: ClassVar[Mapping[str, str]] = {}
    units: ClassVar[Mapping[str, str]] = {}  # "%" (fractions 0-1) or "count" (whole numbers); else 3 figures
    columns: ClassVar[Mapping[str, str]] = {}

    # ---- the lab file: rules and words (torch-free)
    def check(self, cfg: S_contra, traits: Traits) -> str | None:
        """A rule on the merged settings: the message when it is broken."""
        return None

    def check_data(self, cfg: S_contra, size: int) -> str | None:
        """A rule on the merged settings and the arm's image size (px): the message when it is broken."""
        return None

    def describe(self, cfg: S_contra) -> list[str]:
        """Its parts of the arm's one-line description."""
        return []

    def describe_arm(self, cfg: S_contra) -> str | None:
        """The whole description, for an arm of its own shape (a plain net, prototypes)."""
        return None

    # ---- how the arm trains
    def callbacks(self, cfg: S_contra, traits: Traits) -> list[Callback]:
        """What it does in the training loop (tutor.lab.training.callback)."""
        return []

    def build_model(self, cfg: S_contra, data: ArmData, parts: ModelParts, device: torch.device) -> Built | None:
        """Its own network instead of the backbone and head (None: not its arm)."""
        return None

    def trainer(self, cfg: S_contra) -> Trainer | None:
        """Its own way to train this arm (a search, prototypes): trainer(cfg, data, parts, fit, seed=, arm=) yields
        EpochEnd and returns a SeedResult; `fit(cfg)` runs the training loop. None: the loop."""
        return None

    def epochs(self, cfg: S_contra) -> int | None:
        """Epochs per seed for the progress bars, when its trainer runs other than `epochs` (None: as set)."""
        return None

    def needs_images(self, cfg: S_contra) -> bool:
        """The arm must see the images every step (no cached features)."""
        return False

    def uses_backbone(self, cfg: S_contra) -> bool:
        """False when no backbone stage is involved."""
        return True

    def trains(self, cfg: S_contra) -> bool:
        """False when the arm's weights never take a gradient step (prototypes)."""
        return True

    def feature_key(self, cfg: S_contra) -> dict[str, object]:
        """Extra cache key of the arm's frozen features (an input transform changes them)."""
        return {}

    def adapt_backbone(self, cfg: S_contra, net: nn.Module) -> nn.Module:
        """The backbone as this arm feeds it (a copy when it changes it)."""
        return net

    def train_labels(self, cfg: S_contra, y: np.ndarray, idx: np.ndarray, num_classes: int, seed: int) -> np.ndarray:
        """The labels this arm trains on (label noise): `y` holds its training images' labels so far and `idx` their
        indices in the dataset. Return `y` itself when nothing changes, else a new array (never change `y`)."""
        return y

    def train_indices(self, cfg: S_contra, pool: np.ndarray, y: np.ndarray, num_classes: int,
                      seed: int) -> np.ndarray | None:
        """The training images this arm draws from the training `pool` (dataset indices; `y` every dataset image's
        label), when it draws them its own way (a rare minority); None: the core's stratified draw."""
        return None

    # ---- the report
    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        """Its figures of a finished lab (matplotlib's pyplot as `plt`)."""
        return []
