"""Whole-file writes that a crash or Ctrl-C can interrupt without leaving a half-written file.

The data goes to a temporary file beside the target, is flushed to disk, and replaces the target in one
`os.replace`; on any failure the temporary file is removed. Readers see the old file or the new one.

Replacing is only right for a regular file: `os.replace` onto a FIFO, a device node or a symlink would put a
regular file in its place (as root, `--out /dev/null` would replace the system's /dev/null). Such a target
is refused with one line before anything is written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class RefusedTarget(OSError):
    """The target exists and is not a regular file: a symlink, a FIFO, a device, a socket or a folder."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISSOCK, "a socket"))


def check_target(path: Path) -> None:
    """Raise RefusedTarget unless `path` is missing or a regular file (a symlink is refused, whatever it names)."""
    from tutor.safetext import one_line

    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode):
        return
    kind = "a symlink" if stat.S_ISLNK(mode) else next((k for test, k in _KINDS if test(mode)), "a special file")
    raise RefusedTarget(f"{one_line(path)}: not written: it is {kind}, not a regular file (name a new or regular file)")


@contextmanager
def atomic_open(path: Path, mode: str = "wb", *, prefix: str = ".tmp-") -> Iterator[IO]:
    """Yield a file to write; on a clean exit it becomes `path` (readable as a normal new file would be)."""
    path = Path(path)
    check_target(path)
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
