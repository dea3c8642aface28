"""disk_cache: hits, misses, and safety against interrupted writes."""

import numpy as np

from tutor.lab.data import cache


def _builder(counter, value=1.0):
    def build():
        counter.append(1)
        return {"a": np.full(5, value, dtype=np.float32), "names": np.array(["x", "y"])}

    return build


def test_builds_once_then_hits():
    calls = []
    first = cache.disk_cache("t", {"k": 1}, _builder(calls))
    second = cache.disk_cache("t", {"k": 1}, _builder(calls))
    assert len(calls) == 1
    assert np.array_equal(first["a"], second["a"]) and list(second["names"]) == ["x", "y"]
    assert cache.entry_path("t", {"k": 1}).is_file()


def test_key_is_canonical_and_discriminating():
    assert cache.key_digest({"a": 1, "b": [1, 2]}) == cache.key_digest({"b": [1, 2], "a": 1})
    assert cache.key_digest({"a": 1}) != cache.key_digest({"a": 2})
    calls = []
    cache.disk_cache("t", {"k": 1}, _builder(calls, 1.0))
    other = cache.disk_cache("t", {"k": 2}, _builder(calls, 2.0))
    assert len(calls) == 2 and other["a"][0] == 2.0


def test_truncated_entry_is_rebuilt():
    calls = []
    cache.disk_cache("t", {"k": 1}, _builder(calls))
    path = cache.entry_path("t", {"k": 1})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a write cut short by a crash (no atomic rename)
    again = cache.disk_cache("t", {"k": 1}, _builder(calls))
    assert len(calls) == 2 and again["a"].shape == (5,)
    assert np.load(path)["a"].shape == (5,)  # repaired on disk


def test_garbage_and_empty_entries_are_rebuilt():
    calls = []
    path = cache.entry_path("t", {"k": 3})
    path.parent.mkdir(parents=True, exist_ok=True)
    for junk in (b"", b"not a zip file at all"):
        path.write_bytes(junk)
        out = cache.disk_cache("t", {"k": 3}, _builder(calls))
        assert out["a"].shape == (5,)
    assert len(calls) == 2


def test_partial_tmp_file_is_ignored():
    calls = []
    folder = cache.entry_path("t", {"k": 4}).parent
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".tmp-abandoned.npz").write_bytes(b"PK\x03\x04half")  # a writer killed before os.replace
    out = cache.disk_cache("t", {"k": 4}, _builder(calls))
    assert len(calls) == 1 and out["a"].shape == (5,)
    assert cache.disk_cache("t", {"k": 4}, _builder(calls))["a"].shape == (5,)
    assert len(calls) == 1


def test_interrupted_write_leaves_no_entry(monkeypatch):
    calls = []

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("tutor.atomic.os.replace", boom)  # the atomic write that every cache entry goes through
    try:
        cache.disk_cache("t", {"k": 5}, _builder(calls))
    except KeyboardInterrupt:
        pass
    path = cache.entry_path("t", {"k": 5})
    assert not path.exists()
    assert not list(path.parent.glob(".tmp-*"))  # the temporary file is cleaned up
    monkeypatch.undo()
    assert cache.disk_cache("t", {"k": 5}, _builder(calls))["a"].shape == (5,)
