"""Seeds trained in forked processes (tutor.lab.runner.parallel): the same numbers bit for bit as one process,
every seed reported once, a child's error raised in the parent, and no child left behind."""

import os
import time

import pytest

from tutor.lab.device import forkable
from tutor.lab.errors import LabError
from tutor.lab.events import Stage
from tutor.lab.runner.parallel import SeedDone, train_seeds

pytestmark = pytest.mark.skipif(not forkable(), reason="seeds train in parallel only where processes fork (Linux)")


def _job(seed):
    yield Stage(f"seed {seed} in {os.getpid()}")
    return seed * 10


def test_every_seed_is_done_once_and_its_events_arrive():
    items = list(train_seeds(_job, [3, 4, 5, 6, 7], workers=2, threads=1))
    done = {i.seed: i.result for i in items if isinstance(i, SeedDone)}
    assert done == {3: 30, 4: 40, 5: 50, 6: 60, 7: 70}
    stages = [i.text for i in items if isinstance(i, Stage)]
    assert len(stages) == 5 and len({s.split(" in ")[1] for s in stages}) == 2  # two processes trained them


def _failing(seed):
    yield Stage("start")
    if seed == 1:
        raise LabError("seed 1 cannot train")
    return seed


def _dying(seed):
    yield Stage("start")
    if seed == 1:
        os._exit(3)
    return seed


def test_a_childs_error_is_raised_in_the_parent():
    with pytest.raises(LabError, match="seed 1 cannot train"):
        list(train_seeds(_failing, [0, 1], workers=2, threads=1))
    with pytest.raises(LabError, match="stopped unexpectedly .exit code 3"):
        list(train_seeds(_dying, [0, 1], workers=2, threads=1))


def _slow(seed):
    for _ in range(200):
        time.sleep(0.05)
        yield Stage(f"{os.getpid()}")
    return seed


def test_closing_the_run_stops_its_children():
    gen = train_seeds(_slow, [0, 1], workers=2, threads=1)
    pids = set()
    for item in gen:  # until the child has reported too
        pids.add(int(item.text))
        if len(pids) == 2:
            break
    gen.close()  # as a cancelled run does
    (child,) = pids - {os.getpid()}
    with pytest.raises(ProcessLookupError):  # stopped and reaped
        os.kill(child, 0)


LAB = """
id: parallel-lab
title: {en: "Parallel seeds", ko: "병렬 시드"}
summary: {en: "A head on frozen features and a small net trained from scratch with flips.", ko: "고정 특징 위 헤드와 뒤집기로 처음부터 학습한 작은 망."}
look_at: {en: "Nothing.", ko: "없음."}
questions: []
dataset: {name: digits, size: 32, val: 60, test: 60}
backbone: tutornet
defaults: {epochs: 2, lr: 0.01, batch_size: 16, per_class: 3}
profiles:
  quick: {seeds: 3}
arms:
  head: {label: "frozen features"}
  scratch: {label: "from scratch, flips", backbone: random, unfreeze: all, augment: [hflip]}
claims:
  - claim: head.val_acc > scratch.val_acc
    says: "frozen features beat a net trained on 30 images for 2 epochs"
"""


@pytest.mark.slow
def test_a_lab_gives_the_same_numbers_in_one_process_and_in_two(monkeypatch, tmp_path):
    pytest.importorskip("torch")
    from tutor.lab.runner import run_lab

    (tmp_path / "parallel-lab.yaml").write_text(LAB, encoding="utf-8")

    def per_seed(workers: str):
        monkeypatch.setenv("TUTOR_WORKERS", workers)
        result = list(run_lab(str(tmp_path / "parallel-lab.yaml"), profile="quick", write=False))[-1].result.to_json()
        assert result["workers"] == int(workers) and result["threads"] == 1
        return {arm: {k: v["per_seed"] for k, v in m.items() if k != "seconds"} for arm, m in result["arms"].items()}

    assert per_seed("1") == per_seed("2")
