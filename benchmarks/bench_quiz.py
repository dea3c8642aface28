"""Quiz speed: time to the first screen, and loading + validating a 1,000-question bank.

Run: .venv/bin/python benchmarks/bench_quiz.py   (prints numbers; asserts nothing)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_SCREEN = """
import time; t0 = time.perf_counter()
import asyncio
from tutor.bank import load_bank
from tutor.study.store import Store
from tutor.app import make_app

async def main():
    with Store() as store:
        app = make_app(bank=load_bank(), store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            print(f"{(time.perf_counter() - t0) * 1000:.0f}")
asyncio.run(main())
"""

QUESTION = """\
  - id: generated-{n}
    topic: {topic}
    difficulty: medium
    stem: {{en: "Generated question {n}: train 73%, validation 72%. What is wrong?", ko: "생성된 문제 {n}"}}
    options:
      - {{key: A, text: {{en: Underfitting, ko: 과소적합}}, why: {{en: "Both are low and close.", ko: "둘 다 낮다."}}}}
      - {{key: B, text: {{en: Overfitting, ko: 과대적합}}, why: {{en: "That needs a gap.", ko: "격차가 필요하다."}}}}
      - {{key: C, text: {{en: Label noise, ko: 레이블 노이즈}}, why: {{en: "Not shown here.", ko: "보이지 않는다."}}}}
      - {{key: D, text: {{en: Nothing, ko: 없음}}, why: {{en: "72% is far from 95%.", ko: "95%와 멀다."}}}}
    answer: A
    explanation: {{en: "Low and close train/validation accuracy is high bias.", ko: "높은 편향이다."}}
    concepts: [underfitting, bias]
"""


def first_screen_ms(runs: int = 5) -> tuple[float, float]:
    env = dict(os.environ, TUTOR_HOME=tempfile.mkdtemp(prefix="tutor-bench-"))
    walls, inner = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", FIRST_SCREEN], capture_output=True, text=True, env=env, check=True)
        walls.append((time.perf_counter() - t0) * 1000)
        inner.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(walls), statistics.median(inner)


def generated_bank_seconds(n: int = 1000, files: int = 20) -> float:
    from tutor import paths
    from tutor.bank import load_bank

    topics = ["fitting", "transfer", "layers", "freezing", "regularisation", "augmentation"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "topics.yaml").write_text((paths.questions_dir() / "topics.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        per_file = n // files
        for f in range(files):
            body = "".join(QUESTION.format(n=f * per_file + i, topic=topics[i % len(topics)]) for i in range(per_file))
            (root / f"gen{f:02}.yaml").write_text("questions:\n" + body, encoding="utf-8")
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            bank = load_bank([root], labs={})
            best = min(best, time.perf_counter() - t0)
        assert len(bank) == n and not bank.problems, bank.problems[:3]
    return best


def main() -> None:
    wall, inner = first_screen_ms()
    print(f"first screen (fresh process, 80x24, headless): {wall:.0f} ms wall, {inner:.0f} ms inside the interpreter (median of 5)")
    seconds = generated_bank_seconds()
    print(f"load + validate 1,000 generated questions in 20 files: {seconds * 1000:.0f} ms ({1000 / seconds:,.0f} questions/s)")
    t0 = time.perf_counter()
    from tutor.bank import load_bank

    shipped = load_bank()
    print(f"shipped bank: {len(shipped)} questions in {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"ratio first screen / 1 s budget: {wall / 1000:.2f}")


if __name__ == "__main__":
    main()
