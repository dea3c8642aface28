"""The `--out` folder of a run: checked before training, and given a run's files only when they are whole.

A finished run writes result.json and its PNGs into a fresh staging folder inside `--out`
(`.partial-XXXX`); only when all are written are the previous run's outputs cleared and the new files moved
in. A run lists the files it published in `.tutor-run` beside them, and only files named there are ever
removed: a folder that also holds the user's files (a photo, notes, someone else's result.json) keeps them.
A folder whose result.json or plot names are not a tutor run's is refused before training, since the run
would overwrite them. So a folder never mixes two runs, and Ctrl-C while writing leaves the old
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
from tutor.safetext import one_line
from tutor.lab.result import RESULT_FILE as RESULT
CANCELLED = "result.cancelled.json"
MANIFEST = ".tutor-run"
_OURS = (RESULT, CANCELLED, "curves.png", "accuracy.png", "claims.png")  # names any run writes


def prepare(out: Path | str) -> Path:
    """Create `out` (and parents) and prove that a file can be written there; a LabError (one line) if not."""
    out = Path(out).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out, prefix=".probe-"):
            pass
    except OSError as exc:
        raise LabError(f"--out {one_line(out)}: cannot write there ({exc.strerror or exc})") from None
    taken = [name for name in _OURS if (out / name).exists() and name not in _published(out)]
    if taken:
        raise LabError(f"--out {one_line(out)}: {', '.join(taken)} there is not a tutor run's, and a run would "
                       "replace it: name a new folder or a run's folder")
    return out


def _published(out: Path) -> set[str]:
    """The names the last run published in `out` (its manifest), or, for a run written before manifests, the
    result files when result.json is a tutor result."""
    try:
        names = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
        return {n for n in names if n and "/" not in n and n not in (".", "..")}
    except OSError:
        pass
    try:
        from tutor.lab.result import LabResult

        LabResult.read(out / RESULT)
    except Exception:  # noqa: BLE001 - any unreadable or foreign result.json is simply not ours
        return set()
    return {RESULT, CANCELLED}


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
    """Remove the files the previous run published (its manifest names them), and nothing else."""
    for name in _published(out):
        (out / name).unlink(missing_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)


def publish(out: Path, write: Callable[[Path], list[Path]], *, cancelled: bool = False) -> list[Path]:
    """Run `write(staging)` and move what it wrote into `out` (see the module docstring)."""
    out = prepare(out)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        written = write(staging)
        keep_finished = cancelled and holds_finished(out)
        if not keep_finished:
            clear_previous(out)
        kept = _published(out) if keep_finished else set()
        files = []
        for path in written:
            name = CANCELLED if keep_finished and path.name == RESULT else path.name
            os.replace(path, out / name)
            files.append(out / name)
        _write_manifest(out, kept | {f.name for f in files})
        return files
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_manifest(out: Path, names: set[str]) -> None:
    from tutor.atomic import atomic_open

    with atomic_open(out / MANIFEST, "w", prefix=".manifest-") as f:
        f.write("".join(f"{n}\n" for n in sorted(names)))


def staged(result: Any, plots: Callable[[Any, Path], list[Path]] | None) -> Callable[[Path], list[Path]]:
    """A `write` for publish(): result.json (a `LabResult` writes itself), then the plots if any."""
    def write(folder: Path) -> list[Path]:
        files = [result.write(folder)]
        return files + (list(plots(result, folder)) if plots else [])
    return write
