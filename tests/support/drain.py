"""Run a training generator to its end: the engine's arms yield one event per epoch and return their result."""
from __future__ import annotations

from collections.abc import Generator
from typing import Any


def drain(gen: Generator[Any, Any, Any]) -> tuple[Any, list[Any]]:
    """The generator's return value and the events it yielded, in order."""
    events: list[Any] = []
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            return stop.value, events
