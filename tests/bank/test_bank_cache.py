"""The quiz's bank cache: the home screen's facts from the last validation when nothing changed, the
files read again when anything did, and a damaged or forged cache never believed for long."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.app import write_bank

from tutor.bank import cache, load_bank
from tutor.bank.loader import CachedBank


def _age(folder: Path, seconds: float = 10) -> None:
    """Files older than the cache's 'too new to trust' window, as a learner's bank is."""
    old = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (old, old))


@pytest.fixture(autouse=True)
def lab_dir(tmp_path, monkeypatch):
    """One lab for the bank's link, in a folder of its own (the shipped labs change under development)."""
    from tutor import paths

    folder = tmp_path / "labs"
    folder.mkdir()
    (folder / "demo-lab.yaml").write_text("id: demo-lab\ntitle: Demo lab title\n", encoding="utf-8")
    _age(folder)
    monkeypatch.setattr(paths, "lab_dirs", lambda: [folder])
    return folder


@pytest.fixture
def bank_dir(tmp_path):
    folder = write_bank(tmp_path / "bank")
    _age(folder)
    return folder


def _cache_files() -> list[Path]:
    from tutor import paths

    return sorted((paths.cache_dir() / "bank").glob("bank-*.json"))


def test_a_second_start_reads_the_index_and_agrees_with_the_files(bank_dir):
    first = load_bank([bank_dir], cached=True)
    assert not isinstance(first, CachedBank) and len(_cache_files()) == 1
    second = load_bank([bank_dir], cached=True)
    assert isinstance(second, CachedBank)
    assert list(second.questions) == list(first.questions) and list(second.topics) == list(first.topics)
    assert second.question_ids("beta") == first.question_ids("beta")
    assert second.topic_title("alpha") == first.topic_title("alpha") and second.topic_counts() == first.topic_counts()
    assert second.problems == first.problems
    assert second.questions["alpha-single"] == first.questions["alpha-single"]  # validated from the files on use
    assert second.origin == first.origin and len(second.misconceptions) == len(first.misconceptions)
    assert len(_cache_files()) == 1


def test_a_changed_file_is_read_again(bank_dir):
    load_bank([bank_dir], cached=True)
    path = bank_dir / "questions.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Which option", "Gamma option"), encoding="utf-8")
    _age(bank_dir, 5)
    bank = load_bank([bank_dir], cached=True)
    assert not isinstance(bank, CachedBank)
    assert "Gamma" in bank.questions["alpha-single"].stem["en"]


def test_files_too_new_to_trust_leave_no_cache(tmp_path):
    folder = write_bank(tmp_path / "fresh")
    load_bank([folder], cached=True)
    assert _cache_files() == []


def test_the_validating_commands_never_use_the_cache(bank_dir):
    load_bank([bank_dir], cached=True)
    assert not isinstance(load_bank([bank_dir]), CachedBank)


def test_other_code_is_another_key(bank_dir, monkeypatch):
    load_bank([bank_dir], cached=True)
    monkeypatch.setattr(cache, "_code_version", lambda: "another version")
    assert not isinstance(load_bank([bank_dir], cached=True), CachedBank)


@pytest.mark.parametrize("damage", [
    b"", b"\x00\xff garbage", b"[]", b'{"format": 1}', b"9" * 5000, b"[" * 100000,
    "topics-not-rows", "title-not-text", "problem-line-not-int", "question-row-short", "bigger-than-allowed",
])
def test_a_damaged_cache_is_ignored(bank_dir, damage, monkeypatch):
    load_bank([bank_dir], cached=True)
    (path,) = _cache_files()
    if isinstance(damage, bytes):
        path.write_bytes(damage)
    elif damage == "bigger-than-allowed":
        monkeypatch.setattr(cache, "MAX_BYTES", 10)
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        if damage == "topics-not-rows":
            data["topics"] = ["alpha"]
        elif damage == "title-not-text":
            data["topics"][0][1] = {"en": ["not", "text"]}
        elif damage == "problem-line-not-int":
            data["problems"] = [["f.yaml", "1", "x"]]
        elif damage == "question-row-short":
            data["questions"][0] = ["alpha-single"]
        path.write_text(json.dumps(data), encoding="utf-8")
    bank = load_bank([bank_dir], cached=True)
    assert not isinstance(bank, CachedBank) and len(bank) == 4 and not bank.problems


@pytest.mark.parametrize("kind", ["fifo", "symlink-to-device"])
def test_a_cache_that_is_not_a_regular_file_is_never_read(bank_dir, kind):
    load_bank([bank_dir], cached=True)
    (path,) = _cache_files()
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)  # opening it for a blocking read would hang the start
    else:
        path.symlink_to("/dev/zero")  # reading it would never end
    bank = load_bank([bank_dir], cached=True)
    assert not isinstance(bank, CachedBank) and len(bank) == 4


def test_a_forged_cache_is_dropped_once_the_files_are_read(bank_dir):
    load_bank([bank_dir], cached=True)
    (path,) = _cache_files()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["questions"] = [["invented", "alpha"]]
    data["topics"][0][1] = {"en": "\x1b[31mForged"}
    path.write_text(json.dumps(data), encoding="utf-8")
    bank = load_bank([bank_dir], cached=True)
    assert isinstance(bank, CachedBank) and list(bank.questions) == ["invented"]
    assert "alpha-single" in bank.by_topic("alpha")[0].id  # using the questions validates the files
    assert "invented" not in bank.questions and len(bank) == 4
    assert _cache_files() == []  # and the lie is not told twice


def test_warm_validates_in_the_background(bank_dir):
    load_bank([bank_dir], cached=True)
    bank = load_bank([bank_dir], cached=True)
    bank.warm()
    for _ in range(200):
        if bank._loaded():
            break
        time.sleep(0.05)
    assert bank._loaded() and len(bank.origin) == 4


def test_the_home_screen_facts_need_no_pydantic(bank_dir, lab_dir):
    """A cached start answers the home screen's questions without importing the schema."""
    load_bank([bank_dir], cached=True)
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from tutor import paths\n"
        f"paths.lab_dirs = lambda: [Path({str(lab_dir)!r})]\n"
        "from tutor.bank import load_bank\n"
        f"bank = load_bank([Path({str(bank_dir)!r})], cached=True)\n"
        "facts = [len(bank), bank.question_ids('alpha'), bank.topic_title('beta'), 'alpha-single' in bank.questions]\n"
        "print(json.dumps({'pydantic': 'pydantic' in sys.modules, 'cached': type(bank).__name__, 'facts': facts}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"pydantic": False, "cached": "CachedBank",
                      "facts": [4, ["alpha-single", "alpha-multi"], {"en": "Beta topic", "ko": "베타 주제"}, True]}
