"""`Kinds`: the kinds of experiment of the lab engine, in order, and the questions the spec and the runner ask
of them together. Torch-free.

The order is the tuple's (tutor/lab/kinds/__init__.py): the settings, callbacks, metrics, description parts
and figures of the kinds follow it. `arm_config` is one arm's whole configuration, composed here from the core
settings and every kind's `Settings`, so the lab file still sees one flat mapping of settings.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

if TYPE_CHECKING:
    import numpy as np
    import torch
    from torch import nn

    from tutor.lab.kinds.base import Built, Trainer
    from tutor.lab.training.arm import ArmData, ModelParts


class Kinds:
    """The registry: the kinds in order (each reads the composed ArmConfig as its own `Settings`, which
    ArmConfig subclasses), what the spec asks (tutor.lab.spec.registry.KindRegistry) and what the runner asks."""

    def __init__(self, kinds: Sequence[Kind[Any]], module: str = __name__):
        self.kinds = tuple(kinds)
        names = [k.name for k in self.kinds]
        if len(set(names)) != len(names):
            raise ValueError(f"two kinds share a name: {names}")
        self.arm_config = _compose(self, module)

    # ---- the lab file (tutor.lab.spec.registry.KindRegistry)
    def metrics(self) -> dict[str, str]:
        return {name: text for k in self.kinds for name, text in k.metrics.items()}

    def units(self) -> dict[str, str]:
        return {name: unit for k in self.kinds for name, unit in k.units.items()}

    def columns(self) -> dict[str, str]:
        return {name: heading for k in self.kinds for name, heading in k.columns.items()}

    def traits(self, cfg: CoreSettings) -> Traits:
        return Traits(trainers=tuple(k.name for k in self.kinds if k.trainer(cfg) is not None),
                      needs_images=self.needs_images(cfg), uses_backbone=self.uses_backbone(cfg),
                      trains=all(k.trains(cfg) for k in self.kinds))

    def check(self, cfg: CoreSettings) -> None:
        """Raise ValueError with the first merged-settings rule that `cfg` breaks."""
        traits = self.traits(cfg)
        for kind in self.kinds:
            msg = kind.check(cfg, traits)
            if msg:
                raise ValueError(msg)

    def check_data(self, cfg: CoreSettings, size: int) -> None:
        """Raise ValueError with the first rule on the settings and the image size that `cfg` breaks."""
        for kind in self.kinds:
            msg = kind.check_data(cfg, size)
            if msg:
                raise ValueError(msg)

    def describe_arm(self, cfg: CoreSettings) -> str | None:
        return next((d for d in (k.describe_arm(cfg) for k in self.kinds) if d), None)

    def describe(self, cfg: CoreSettings) -> list[str]:
        return [part for k in self.kinds for part in k.describe(cfg)]

    # ---- the runner
    def callbacks(self, cfg: CoreSettings) -> list[Callback]:
        traits = self.traits(cfg)
        return [cb for k in self.kinds for cb in k.callbacks(cfg, traits)]

    def build_model(self, cfg: CoreSettings, data: ArmData, parts: ModelParts, device: torch.device) -> Built | None:
        """The first kind's own network for this arm, or None (the backbone and head)."""
        for kind in self.kinds:
            built = kind.build_model(cfg, data, parts, device)
            if built is not None:
                return built
        return None

    def trainer(self, cfg: CoreSettings) -> Trainer | None:
        """The first kind's own way to train this arm (search, prototypes), or None (the training loop)."""
        return next((t for t in (k.trainer(cfg) for k in self.kinds) if t is not None), None)

    def dispatched(self, cfg: CoreSettings) -> str | None:
        """The kind that takes this arm out of the plain training loop: its own trainer (a search, prototypes),
        else its own network without a backbone (a plain net); None for the loop on a backbone. For timings."""
        own = next((k.name for k in self.kinds if k.trainer(cfg) is not None), None)
        return own or next((k.name for k in self.kinds if not k.uses_backbone(cfg)), None)

    def epochs(self, cfg: CoreSettings) -> int:
        return next((n for n in (k.epochs(cfg) for k in self.kinds) if n is not None), cfg.epochs)

    def needs_images(self, cfg: CoreSettings) -> bool:
        return any(k.needs_images(cfg) for k in self.kinds)

    def uses_backbone(self, cfg: CoreSettings) -> bool:
        return all(k.uses_backbone(cfg) for k in self.kinds)

    def feature_key(self, cfg: CoreSettings) -> dict[str, object]:
        out: dict[str, object] = {}
        for kind in self.kinds:
            out.update(kind.feature_key(cfg))
        return out

    def adapt_backbone(self, cfg: CoreSettings, net: nn.Module) -> nn.Module:
        for kind in self.kinds:
            net = kind.adapt_backbone(cfg, net)
        return net

    def train_labels(self, cfg: CoreSettings, y: np.ndarray, idx: np.ndarray, num_classes: int, seed: int) -> np.ndarray:
        """The training labels after every kind (`y` itself when none changes them)."""
        for kind in self.kinds:
            y = kind.train_labels(cfg, y, idx, num_classes, seed)
        return y

    def train_indices(self, cfg: CoreSettings, pool: np.ndarray, y: np.ndarray, num_classes: int,
                      seed: int) -> np.ndarray | None:
        """The first kind's own draw of the arm's training images (None: no kind draws them its own way)."""
        return next((got for got in (k.train_indices(cfg, pool, y, num_classes, seed) for k in self.kinds)
                     if got is not None), None)

    # ---- the report
    def plots(self, result: LabResult, out_dir: Path, plt: types.ModuleType) -> list[Path]:
        return [path for k in self.kinds for path in k.plot(result, out_dir, plt)]


def _compose(registry: Kinds, module: str) -> type[CoreSettings]:
    """ArmConfig: CoreSettings plus every kind's Settings (bases in reverse, so that pydantic lists the core fields
    first, then each kind's in the registry's order), described in words with every kind's parts."""
    own = list(dict.fromkeys(k.settings for k in registry.kinds if k.settings is not CoreSettings))

    def described(self: CoreSettings) -> str:
        return registry.describe_arm(self) or ", ".join([*self.core_parts(), *registry.describe(self)])

    namespace = {"__module__": module, "__qualname__": "ArmConfig", "described": described,
                 "__doc__": "One arm's training configuration: CoreSettings plus each kind's Settings (tutor/lab/kinds/)."}
    return types.new_class("ArmConfig", (*reversed(own), CoreSettings), exec_body=lambda ns: ns.update(namespace))
