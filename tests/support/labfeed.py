"""A lab page fed a fixed run, for layout snapshots: no child process, no training, no real clock.

- `write_lab(folder)`: a three-arm lab in English and Korean under the id the tiny bank's question links to
  (demo-lab), and `labs_of(folder)` its catalogue entry, as the app reads it;
- `run_events(lab, ...)`: the event stream `tutor lab --json` would send for it (tutor.lab.events), with
  made-up numbers, up to some epochs of the second arm or to the end (claims judged, `LabFinished`);
- `ScriptedLab`: stands in for `tutor.app.lab_process.LabProcess` (the lab monitor builds one per run, so
  a test swaps the class in that module): it plays the events, setting a `StoppedClock` to each event's
  second before it goes out, then either ends (exit 0) or holds the run open until the app exits;
- `StoppedClock`: `time.perf_counter` at a second the test sets, for the modules the lab page reads it in.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

LAB_ID = "demo-lab"
EPOCHS, SEEDS = 4, [0, 1]
STEP_S = 1.5  # seconds between two epochs of the scripted run
START_S = 1000.0  # the stopped clock's reading when the run starts

LAB = """\
id: demo-lab
title: {en: "More images per class: does the linear head learn more?", ko: "클래스당 이미지를 늘리면 선형 헤드가 더 많이 배우나?"}
summary:
  en: "Linear heads on frozen features of 32 px digits, trained on 2, 8 and 20 images per class."
  ko: "32픽셀 숫자의 동결된 특징 위에 선형 헤드를 두고, 클래스당 이미지 2장, 8장, 20장으로 훈련한다."
look_at:
  en: "Compare the validation accuracy of the three arms, and how far apart training and validation accuracy stay."
  ko: "세 방법의 검증 정확도를 비교하고, 훈련 정확도와 검증 정확도가 얼마나 벌어지는지 보라."
questions: [alpha-single]
dataset: {name: digits, size: 32, val: 60, test: 60}
backbone: tutornet
defaults: {epochs: 4, lr: 0.01, batch_size: 32}
profiles:
  quick: {seeds: 2}
  full: {seeds: 4, defaults: {epochs: 6}}
arms:
  few: {label: {en: "2 images per class", ko: "클래스당 이미지 2장"}, per_class: 2}
  some: {label: {en: "8 images per class", ko: "클래스당 이미지 8장"}, per_class: 8}
  many: {label: {en: "20 images per class", ko: "클래스당 이미지 20장"}, per_class: 20}
claims:
  - claim: many.val_acc > few.val_acc
    backs: [alpha-single]
    says: {en: "20 images per class beat 2 on validation accuracy", ko: "검증 정확도에서 클래스당 20장이 2장을 이긴다"}
  - claim: many.val_acc > some.val_acc + 0.02
    backs: [alpha-single]
    says: {en: "20 images per class beat 8 by more than 2 points", ko: "클래스당 20장이 8장을 2포인트 넘게 이긴다"}
"""

ARMS = ("few", "some", "many")
LEVEL = {"few": 0.42, "some": 0.66, "many": 0.71}  # each arm's final validation accuracy (made up)


def write_lab(folder: Path) -> Path:
    """The lab file in `folder` (made if missing); its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LAB_ID}.yaml"
    path.write_text(LAB, encoding="utf-8")
    return path


def labs_of(folder: Path) -> dict[str, Any]:
    from tutor.bank.labrefs import lab_catalog

    return lab_catalog([folder])


def _acc(arm: str, seed: int, epoch: int) -> tuple[float, float]:
    """(train, validation) accuracy after `epoch`: rising towards the arm's level, training above."""
    val = LEVEL[arm] * (0.55 + 0.45 * epoch / EPOCHS) + 0.01 * seed
    return min(1.0, val + 0.08 + 0.03 * epoch), val


def result(lab_path: Path) -> Any:
    """The finished run's LabResult: the first claim shown, the second not (its seeds spread)."""
    from tutor.lab.result import LabResult

    def stats(values: list[float]) -> dict:
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
        return {"mean": round(mean, 4), "sd": round(sd, 4), "per_seed": [round(v, 4) for v in values]}

    arms = {}
    for arm in ARMS:
        train = [_acc(arm, s, EPOCHS)[0] for s in SEEDS]
        val = [_acc(arm, s, EPOCHS)[1] for s in SEEDS]
        arms[arm] = {"train_acc": stats(train), "val_acc": stats(val), "gap": stats([t - v for t, v in zip(train, val)]),
                     "test_acc": stats([v - 0.015 for v in val]), "seconds": stats([EPOCHS * STEP_S] * len(SEEDS))}
    shown = {"text": "many.val_acc > few.val_acc", "backs": ["alpha-single"],
             "says": {"en": "20 images per class beat 2 on validation accuracy", "ko": "검증 정확도에서 클래스당 20장이 2장을 이긴다"},
             "holds": True,
             "numbers": {"left": {"mean": 0.715, "per_seed": [0.71, 0.72]}, "right": {"mean": 0.425, "per_seed": [0.42, 0.43]},
                         "margin": {"mean": 0.29, "sd": 0.0, "lower": 0.29, "per_seed": [0.29, 0.29]},
                         "min_effect": 0.0, "needed": 0.0, "seeds": 2}}
    spread = {"text": "many.val_acc > some.val_acc + 0.02", "backs": ["alpha-single"],
              "says": {"en": "20 images per class beat 8 by more than 2 points", "ko": "클래스당 20장이 8장을 2포인트 넘게 이긴다"},
              "holds": False,
              "numbers": {"left": {"mean": 0.715, "per_seed": [0.71, 0.72]}, "right": {"mean": 0.685, "per_seed": [0.70, 0.67]},
                          "margin": {"mean": 0.03, "sd": 0.028, "lower": -0.095, "per_seed": [0.01, 0.05]},
                          "min_effect": 0.0, "needed": 0.0, "seeds": 2, "seeds_to_show": 9}}
    return LabResult.model_validate({
        "lab": LAB_ID, "title": "More images per class", "lab_file": str(lab_path), "profile": "quick", "status": "finished",
        "device": "cpu", "threads": 1, "seeds": SEEDS,
        "versions": {"torch": "2.14.1", "torchvision": "0.29.1", "tutor": "0.1.0", "python": "3.11.7"},
        "arms": arms, "questions": ["alpha-single"], "claims": [shown, spread], "verdict": "inconclusive",
        "timings": {"total_s": 40.5, "arms": {a: EPOCHS * STEP_S * len(SEEDS) for a in ARMS}},
        "started_at": "2026-12-07T08:59:00+00:00", "finished_at": "2026-12-07T08:59:41+00:00",
    })


def run_events(lab_path: Path, *, until: tuple[str, int] | None = None, files: list[str] | None = None,
               out: str | None = None) -> list[tuple[float, Any]]:
    """(second of the run, event) of a quick run: to the end, or up to epoch `until[1]` of arm `until[0]`."""
    from tutor.lab.events import (
        ArmFinished,
        ArmStarted,
        ClaimResult,
        EpochEnd,
        LabFinished,
        LabStarted,
        SeedFinished,
        Stage,
    )
    from tutor.lab.result import Stats

    done = result(lab_path)
    t = 0.0
    events: list[tuple[float, Any]] = [
        (t, LabStarted(lab=LAB_ID, title="More images per class", profile="quick", device="cpu", seeds=SEEDS,
                       arms={a: a for a in ARMS}, epochs={a: EPOCHS for a in ARMS}, out=out, threads=1,
                       costs={"few": 2.0, "some": 4.0, "many": 6.0})),
        (t + 2.0, Stage.of("loading dataset {name} ({size} px)", name="digits", size=32)),
    ]
    t += 4.0
    for arm in ARMS:
        events.append((t, ArmStarted(arm=arm, description=arm, seeds=SEEDS, epochs=EPOCHS)))
        count = 0
        for seed in SEEDS:
            for epoch in range(1, EPOCHS + 1):
                t += STEP_S
                count += 1
                train, val = _acc(arm, seed, epoch)
                events.append((t, EpochEnd(arm=arm, seed=seed, epoch=epoch, epochs=EPOCHS, train_acc=train,
                                           train_loss=1.2 - train, val_acc=val, val_loss=1.3 - val)))
                if until is not None and until == (arm, count):
                    return events
            events.append((t, SeedFinished(arm=arm, seed=seed, metrics={"val_acc": _acc(arm, seed, EPOCHS)[1]})))
        metrics = {k: Stats.model_validate(v) for k, v in done.arms[arm].items()}
        events.append((t, ArmFinished(arm=arm, metrics=metrics, seconds=EPOCHS * STEP_S * len(SEEDS))))
    t += 1.0
    events += [(t, ClaimResult(claim=claim)) for claim in done.claims]
    t += 1.5
    events.append((t, LabFinished(result=done, out=out, files=list(files or []))))
    return events


class StoppedClock:
    """`time` for the lab page's modules: `perf_counter()` reads `now`; everything else is the real `time`."""

    def __init__(self, now: float = START_S) -> None:
        self.now = now

    def perf_counter(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class ScriptedLab:
    """A `LabProcess` that plays `events` (second, event) on `clock`; `hold` keeps the run going after them.
    `played` counts the events handed out (a test waits for all of them)."""

    def __init__(self, events: list[tuple[float, Any]], clock: StoppedClock, *, hold: bool = False) -> None:
        self.script, self.clock, self.hold = events, clock, hold
        self.played = 0
        self.command: list[str] = []
        self.proc = SimpleNamespace(kill=lambda: None)  # what the page kills when it goes away mid-run
        self.returncode: int | None = None
        self.cancelling = False
        self.stderr_tail: list[str] = []
        self._open = True

    def __call__(self, command: list[str]) -> ScriptedLab:  # the monitor builds LabProcess(command)
        self.command = command
        return self

    async def start(self) -> None:
        self.clock.now = START_S

    async def events(self):
        for second, event in self.script:
            self.clock.now = START_S + second
            self.played += 1
            yield event
            await asyncio.sleep(0)  # as a pipe would: the page draws between two lines (bars get mounted)
        if self.hold:
            await asyncio.Event().wait()  # training goes on until the app exits
        self._open = False
        self.returncode = 0

    @property
    def running(self) -> bool:
        return self._open

    async def cancel(self) -> None:
        self.cancelling = True
