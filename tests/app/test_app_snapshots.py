"""Layout snapshots (pytest-textual-snapshot): the feedback, exam report and review screens at 80x24 and
100x30, English and Korean (every other screen: test_app_snapshots_screens.py). Deterministic: a seeded rng,
a fixed bank, an exam with fixed start and finish times, cards answered at fixed past dates, the study
layer's clock stopped (fixture `frozen_clock`). The SVGs live in tests/app/__snapshots__/; after a
deliberate layout change, look at the report pytest writes and run `pytest tests/app/test_app_snapshots.py
--snapshot-update`."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from support.app import LABS, build, keys_for, write_bank

from tutor.bank import load_bank

SIZES = [(80, 24), (100, 30)]
pytestmark = pytest.mark.usefixtures("frozen_clock")  # nothing on screen moves with the day the tests run (tests/app/conftest.py)
LANGS = ["en", "ko"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# One question whose option and why lines fill 80 columns in Korean (issue 24: words ended in "…") and
# whose text writes a number and its unit with a space ("84 %": drawn "84%", never split).
WIDE_QUESTION = """\
questions:
  - id: wide-feedback
    topic: alpha
    stem:
      en: "A group-normalised network trained with batch 2 reaches 84 % validation accuracy. Why does batch normalisation do worse here?"
      ko: "배치 2로 훈련한 그룹 정규화 신경망은 검증 정확도 84 %에 이른다. 여기서 배치 정규화가 더 나쁜 까닭은?"
    options:
      - key: A
        text: {en: "Its batch statistics are noisy with two images", ko: "이미지 두 장으로는 배치 통계가 흔들린다"}
        why:
          en: "Right. With two images the mean and variance of a batch swing from step to step, so every step normalises differently."
          ko: "정답. 이미지 두 장의 평균과 분산은 스텝마다 크게 흔들리므로, 스텝마다 다르게 정규화하고 검증 정확도 84 %에 못 미친다."
      - key: B
        text: {en: "It has more weights to fit", ko: "맞출 가중치가 더 많다"}
        why:
          en: "Misconception: believes normalisation layers add capacity. Both have two parameters per channel."
          ko: "오개념: 정규화 층이 용량을 늘린다고 믿는다. 그렇지 않으면 PyTorch가 그 층을 계속 동결된 층으로 다룬다. 둘 다 채널마다 매개변수가 둘이다."
      - key: C
        text: {en: "It needs a larger learning rate", ko: "더 큰 학습률이 필요하다"}
        why:
          en: "Misconception: believes the step size fixes noisy statistics. A larger step makes the noise worse."
          ko: "오개념: 스텝 크기가 흔들리는 통계를 고친다고 믿는다. 스텝 하나의 비용은 같고, 더 큰 스텝은 흔들림을 키울 뿐이며 정칙화하지도 않는다."
    answer: A
    explanation:
      en: "Batch normalisation estimates its statistics from the batch; group normalisation from each image alone."
      ko: "배치 정규화는 배치에서 통계를 추정하고, 그룹 정규화는 이미지 하나에서 추정한다."
    concepts: [fruit]
    lab: demo-lab
"""


@pytest.fixture
def wide_bank(tmp_path):
    folder = write_bank(tmp_path / "wide")
    (folder / "questions.yaml").write_text(WIDE_QUESTION, encoding="utf-8")
    bank = load_bank([folder], labs=LABS)
    assert not bank.problems, bank.problems
    return bank


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feedback(snap_compare, wide_bank, store, size, lang):
    app = build(wide_bank, store, lang=lang)
    question = wide_bank.questions["wide-feedback"]

    async def answer_wrong(pilot):
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*keys_for(question, {"B"}, app.screen.session.shown), "enter")
        await pilot.pause()

    assert snap_compare(app, run_before=answer_wrong, terminal_size=size)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exam_report(snap_compare, tiny_bank, store, size, lang):
    from tutor.study.sessions import ExamSession

    app = build(tiny_bank, store, lang=lang)

    async def finished(pilot):
        session = ExamSession(tiny_bank, store, 4, 15, rng=random.Random(0), now=T0)
        first, second, third = session.questions[:3]
        session.choose(first.id, first.answers)
        session.choose(second.id, {next(o.key for o in second.options if o.key not in second.answers)})
        session.toggle_flag(second.id)  # flagged and answered
        session.toggle_flag(third.id)  # flagged, not answered
        app.show_report(session.finish(now=T0 + timedelta(minutes=12, seconds=5)))
        await pilot.pause()

    assert snap_compare(app, run_before=finished, terminal_size=size)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_review_feedback(snap_compare, tiny_bank, store, size, lang):
    store.record_answer("alpha-single", {"A"}, False, mode="practice", now=T0)  # due long before the test runs
    app = build(tiny_bank, store, lang=lang)
    question = tiny_bank.questions["alpha-single"]

    async def review(pilot):
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.session.current is question
        await pilot.press(*keys_for(question, {"C"}, app.screen.session.shown), "enter")
        await pilot.pause()

    assert snap_compare(app, run_before=review, terminal_size=size)
