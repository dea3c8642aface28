"""Korean (double-width) text in the feedback wraps, never ends in "…" with words lost; numbers keep their %.

Rich's table cells default to overflow "ellipsis", and Rich strips the space a line breaks at by counting
characters, not cells: a Korean line that fills the width kept that space, came out one cell too wide and
was cut to "…" (the issue's "그렇지 않으면 PyTorch …"). The feedback grid folds instead."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from tutor.app.strings import glue_percent, shown
from tutor.app.widgets.feedback_view import feedback_renderable

SENTENCES = [
    "오개념: 숫자를 옮기면 숫자가 바뀐다고 믿는다. 몇 픽셀 옮겨도 같은 숫자이며, 스캔이 언제 어디서 이루어지든 같은 숫자다.",
    "정답. 두 정확도가 함께 떨어져 만났다. 더 이상 레이블을 보여 주지 않는 이미지로 훈련하면 훈련과 검증이 함께 낮아진다.",
    "그렇지 않으면 PyTorch가 그 층을 계속 동결된 층으로 다룬다. 옵티마이저에 넘긴 매개변수만 갱신된다.",
    "배치 정규화는 큰 배치가 필요하다고 여긴다. 배치 크기 2에서도 그룹 정규화는 검증 정확도 84 %에 이른다.",
]


def korean_question(why: str):
    from tutor.bank import Question

    options = [{"key": k, "text": {"en": f"option {k}", "ko": f"보기 {k} " + why[: 20 + i]}, "why": {"en": "why", "ko": why[i:] + why}}
               for i, k in enumerate("ABCD")]
    return Question.model_validate({
        "id": "wide", "topic": "t", "stem": {"en": "stem", "ko": "문제"}, "options": options, "answer": "B",
        "explanation": {"en": "x", "ko": why},
    })


def rendered(question, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(feedback_renderable(question, frozenset({"A"}), False, "ko"))
    return console.export_text()


@pytest.mark.parametrize("sentence", SENTENCES, ids=range(len(SENTENCES)))
def test_korean_feedback_wraps_every_word_at_every_width(sentence):
    question = korean_question(sentence)
    for width in range(60, 101):  # 80 columns among them: some line fills its width exactly
        out = rendered(question, width)
        assert "…" not in out, f"cut at width {width}"
        joined = re.sub(r"\s+", "", out)
        for option in question.options:
            assert re.sub(r"\s+", "", shown(option.why, "ko")) in joined, f"words lost at width {width}"
        assert all(len(line.rstrip()) <= width for line in out.splitlines())


async def test_korean_feedback_at_80x24_keeps_the_whole_why(tmp_path, store):
    """Through the app: the feedback widget at 80 columns holds every Korean word of every why."""
    from support.app import build, content_text, keys_for

    from tutor.app.widgets.feedback_view import FeedbackView
    from tutor.bank import load_bank

    why = SENTENCES[0]
    (tmp_path / "topics.yaml").write_text('topics:\n  - {id: t, title: {en: "T", ko: "주제"}}\n', encoding="utf-8")
    options = "\n".join(f'      - {{key: {k}, text: {{en: "o{k}", ko: "보기 {k}"}}, why: {{en: "w", ko: "{why[i:]} {why}"}}}}'
                        for i, k in enumerate("ABCD"))
    (tmp_path / "q.yaml").write_text(
        f'questions:\n  - id: wide\n    topic: t\n    stem: {{en: "s", ko: "문제"}}\n    options:\n{options}\n'
        '    answer: B\n    explanation: {en: "x", ko: "해설"}\n', encoding="utf-8")
    bank = load_bank([tmp_path])
    assert "wide" in bank.questions
    app = build(bank, store, lang="ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        screen = app.screen
        await pilot.press(*keys_for(screen.session.current, {"A"}, screen.session.shown), "enter")
        await pilot.pause()
        view = screen.query_one(FeedbackView)
        out = content_text(view, width=view.content_region.width)
        assert "…" not in out
        for option in bank.questions["wide"].options:
            assert re.sub(r"\s+", "", shown(option.why, "ko")) in re.sub(r"\s+", "", out)


def test_numbers_keep_their_percent_sign():
    """The bank writes "84 %" 37 times and "84%" 101 times; both are drawn "84%", which no wrap can split."""
    assert glue_percent("검증 정확도 84 %에 이른다, 85% and 3\u00a0% or 7\u202f%") == "검증 정확도 84%에 이른다, 85% and 3% or 7%"
    assert glue_percent("100 % of 5 px, 50 per cent") == "100% of 5 px, 50 per cent"
    assert shown({"en": "reaches 85 % validation accuracy"}, "en") == "reaches 85% validation accuracy"
    for width in range(20, 40):
        out = rendered(korean_question("검증 정확도 84 %에 이른다. " * 4), width)
        assert not re.search(r"^\s*%", out, re.MULTILINE) and "84 %" not in out
