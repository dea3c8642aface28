"""The `--out` folder of a run: checked before training, and given a run's files only when they are whole.

A finished run writes result.json and its PNGs into a fresh staging folder inside `--out`
(`.partial-XXXX`); only when all are written are the previous run's outputs cleared (result.json,
result.cancelled.json and the PNGs, and only where a result.json says the folder holds a previous run)
and the new files moved in. So a folder never mixes two runs, and Ctrl-C while writing leaves the old
run whole. A cancelled run never replaces a finished one: beside a finished result.json its partial
result is written as result.cancelled.json. Torch-free: `tutor lab` checks `--out` before loading torch.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.lab.errors import LabError
from tutor.lab.result import RESULT_FILE as RESULT
CANCELLED = "result.cancelled.json"


def prepare(out: Path | str) -> Path:
    """Create `out` (and parents) and prove that a file can be written there; a LabError (one line) if not."""
    out = Path(out).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out, prefix=".probe-"):
            pass
    except OSError as exc:
        raise LabError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return out


def remove_if_empty(out: Path) -> None:
    """Remove `out` if nothing is in it (a run that failed before writing leaves no empty folder behind)."""
    try:
        out.rmdir()
    except OSError:
        pass


def holds_finished(out: Path) -> bool:
    """Whether `out` holds a finished run's result.json."""
    try:
        return json.loads((out / RESULT).read_text(encoding="utf-8")).get("status") == "finished"
    except (OSError, ValueError, AttributeError):
        return False


def clear_previous(out: Path) -> None:
    """Remove a previous run's outputs, only if a result.json marks `out` as a run's folder."""
    if not (out / RESULT).is_file():
        return
    for path in [out / RESULT, out / CANCELLED, *out.glob("*.png")]:
        path.unlink(missing_ok=True)


def publish(out: Path, write: Callable[[Path], list[Path]], *, cancelled: bool = False) -> list[Path]:
    """Run `write(staging)` and move what it wrote into `out` (see the module docstring)."""
    out = prepare(out)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        written = write(staging)
        keep_finished = cancelled and holds_finished(out)
        if not keep_finished:
            clear_previous(out)
        files = []
        for path in written:
            name = CANCELLED if keep_finished and path.name == RESULT else path.name
            os.replace(path, out / name)
            files.append(out / name)
        return files
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def staged(result: Any, plots: Callable[[Any, Path], list[Path]] | None) -> Callable[[Path], list[Path]]:
    """A `write` for publish(): result.json (a `LabResult` writes itself), then the plots if any."""
    def write(folder: Path) -> list[Path]:
        files = [result.write(folder)]
        return files + (list(plots(result, folder)) if plots else [])
    return write
