"""The validated bank, remembered between starts: what the first screen needs, keyed by where it came from.

Validating the bank takes pydantic (about 90 ms to import and build the schema) and every file read and
checked (about 50 ms); the home screen needs only the topics and their titles, which question is in
which topic, and the problems found. `tutor quiz` keeps those in the user's cache folder, keyed by the
paths, sizes and modification times of the bank's and the labs' files and by the code that validates
them, and draws its first screen from them; the full bank is validated from the files right after
(see `Bank.warm`). The cache is only an optimisation: a missing, damaged, foreign or oddly shaped file
is ignored and replaced. It is JSON, so nothing in it can run code, and it is written only when every
file is a couple of seconds old, so a file rewritten within the file system's timestamp resolution is
never served stale (the rule git uses for its index).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from tutor.problems import Problem

FORMAT = 1
MAX_BYTES = 16 * 1024 * 1024  # far above any real bank's index: a larger file is not ours
RACY_NS = 2_000_000_000  # files changed this recently are not trusted to a cache


@dataclass(frozen=True)
class Index:
    """What the home screen shows of a bank, without the questions themselves."""

    topics: list[tuple[str, dict[str, str]]]  # (id, title), in the bank's order
    questions: list[tuple[str, str]]  # (id, topic), in the bank's order
    problems: list[Problem]


@dataclass(frozen=True)
class Key:
    digest: str  # of the code version and every file's path, size and modification time
    newest_ns: int  # the newest modification time among them (the change time is in the digest too)
    name: str  # the cache file, one per list of folders


def _code_version() -> str:
    """The package version and the source of the modules that decide what a valid bank is."""
    from tutor import __version__

    h = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), here.parent / "yamlsrc.py", here.parent / "safetext.py"]):
        try:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            h.update(path.name.encode() + b"\0?")
    return h.hexdigest()


def key(dirs: list[Path], files: list[Path], lab_files: list[Path]) -> Key | None:
    """The key of a bank read from `files` (found under `dirs`) with the labs in `lab_files`; None when a
    file cannot be looked at (then the bank is read the long way, which reports it)."""
    h = hashlib.sha256(_code_version().encode())
    newest = 0
    for group, paths in (("dirs", dirs), ("bank", files), ("labs", lab_files)):
        h.update(f"\0{group}".encode())
        for path in paths:
            h.update(os.fsencode(str(path)) + b"\0")
            if group == "dirs":
                continue
            try:
                st = path.stat()
            except OSError:
                return None
            newest = max(newest, st.st_mtime_ns)
            h.update(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}".encode())
    folders = hashlib.sha256("\0".join(str(d.resolve()) for d in dirs).encode()).hexdigest()[:16]
    return Key(h.hexdigest(), newest, f"bank-{folders}.json")


def _folder() -> Path:
    from tutor import paths

    return paths.cache_dir() / "bank"


def read(k: Key) -> Index | None:
    """The index stored under `k`, or None: missing, unreadable, another key, or not the expected shape."""
    try:
        data = json.loads(_read_regular(_folder() / k.name))
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != k.digest:
            return None
        return _index(data)
    except Exception:  # noqa: BLE001 - whatever is wrong with a cache file, the answer is: no cache
        return None


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; a link, pipe or device is refused, never opened
    for a blocking or endless read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            raise ValueError("not a cache file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise ValueError("too large")
    return data


def _row(value: object, *types: type) -> list:
    """`value` if it is a list of exactly these types (a bool is not an int here), else TypeError."""
    if not (isinstance(value, list) and len(value) == len(types) and all(type(v) is t for v, t in zip(value, types))):
        raise TypeError("not a row of the expected shape")
    return value


def _index(data: dict) -> Index:
    """The index in a cache file's data, every value checked for type: a file that says anything else is
    not a cache of ours."""
    topics = []
    for topic_id, title in (_row(row, str, dict) for row in data["topics"]):
        if "en" not in title or not all(type(k) is str and type(v) is str for k, v in title.items()):
            raise TypeError("a title is a mapping of language to text, with English")
        topics.append((topic_id, title))
    questions = [tuple(_row(row, str, str)) for row in data["questions"]]
    problems = [Problem(*_row(row, str, int, str)) for row in data["problems"]]
    return Index(topics, questions, problems)  # type: ignore[arg-type]


def write(k: Key, index: Index) -> None:
    """Store `index` under `k` (atomically); skipped when a file is too new to trust, silent when it fails."""
    if time.time_ns() - k.newest_ns < RACY_NS:
        return
    data = {"format": FORMAT, "key": k.digest, "topics": index.topics, "questions": index.questions,
            "problems": [[p.file, p.line, p.message] for p in index.problems]}
    try:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{k.name}.{os.getpid()}.tmp"
        tmp.unlink(missing_ok=True)  # a leftover (or a planted link) is removed, never written through
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, folder / k.name)
    except OSError:
        pass


def forget(k: Key) -> None:
    try:
        (_folder() / k.name).unlink()
    except OSError:
        pass
