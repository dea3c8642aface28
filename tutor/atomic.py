"""Whole-file writes that a crash or Ctrl-C can interrupt without leaving a half-written file.

The data goes to a temporary file beside the target, is flushed to disk, and replaces the target in one
`os.replace`; on any failure the temporary file is removed. Readers see the old file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_open(path: Path, mode: str = "wb", *, prefix: str = ".tmp-") -> Iterator[IO]:
    """Yield a file to write; on a clean exit it becomes `path` (readable as a normal new file would be)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
