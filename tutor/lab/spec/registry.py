"""What the lab format needs of the kinds of experiment, and where it gets them. Torch-free.

The kinds (tutor/lab/kinds/) build on the spec's settings, so the spec never imports them: the lab package's
entry (tutor/lab/__init__.py) installs a function that returns the registry, and the spec calls it on first
use. A test may install another registry (`install`) and put the engine's back afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tutor.lab.spec.settings import CoreSettings


class KindRegistry(Protocol):
    """The spec's view of the kinds: one arm's whole settings model, the rules on merged settings, the metrics."""

    @property
    def arm_config(self) -> type[CoreSettings]: ...  # CoreSettings plus every kind's Settings, one flat mapping

    def check(self, cfg: CoreSettings) -> None: ...  # ValueError: the first rule on merged settings broken

    def check_data(self, cfg: CoreSettings, size: int) -> None: ...  # ValueError: a rule on the image size

    def metrics(self) -> dict[str, str]: ...  # the kinds' metrics: name -> help

    def units(self) -> dict[str, str]: ...  # name -> "%" or "count"

    def columns(self) -> dict[str, str]: ...  # name -> short table heading


_provider: Callable[[], KindRegistry] | None = None
_registry: KindRegistry | None = None


def install(provider: Callable[[], KindRegistry]) -> Callable[[], KindRegistry] | None:
    """Use `provider()` as the kinds from now on (called once, on first use); returns the one it replaces."""
    global _provider, _registry
    previous, _provider, _registry = _provider, provider, None
    return previous


def kinds() -> KindRegistry:
    """The installed kinds of experiment."""
    global _registry
    if _registry is None:
        if _provider is None:
            raise RuntimeError("no kinds of experiment installed (tutor/lab/__init__.py installs them)")
        _registry = _provider()
    return _registry
