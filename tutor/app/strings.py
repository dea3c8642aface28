"""The app's own words (titles, buttons, key descriptions, notices) in every language it speaks.

Question texts come from the bank through `tutor.bank.text()`; this table is only the chrome around
them. A key missing in a language falls back to English, and a key missing everywhere shows itself,
so a forgotten translation is visible instead of crashing. No Textual here: plain data and `t()`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

LANGUAGES = ("en", "ko")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        # app and home
        "app.title": "tutor: transfer learning for image classification",
        "home.all_topics": "All topics",
        "home.col.topic": "Topic",
        "home.col.questions": "Qs",
        "home.col.seen": "Seen",
        "home.col.mastery": "Mastery",
        "home.due": "Reviews due now: {due}",
        "home.due_none": "No reviews due",
        "home.leeches": "missed again and again: {count}",
        "home.totals": "{questions} questions · {seen} seen",
        "home.problems": "{files} file(s) had problems: run `tutor questions validate`",
        "home.problems_more": "… and {more} more",
        "home.empty": "The question bank is empty: add questions, then run `tutor questions validate`.",
        "home.hint": "Enter on a topic practises it; the first row practises everything.",
        # key and button labels
        "key.practice": "Practice",
        "key.exam_short": "Short exam",
        "key.exam_full": "Full mock",
        "key.review": "Review",
        "key.quit": "Quit",
        "key.back": "Back",
        "key.submit": "Submit",
        "key.next": "Next",
        "key.toggle": "Choose",
        "key.prev_q": "Prev",
        "key.next_q": "Next",
        "key.flag": "Flag",
        "key.finish": "Finish exam",
        "key.home": "Home",
        "key.check_again": "Check again",
        "key.yes": "Yes",
        "key.no": "No",
        # question view
        "q.choose_one": "Choose one answer",
        "q.choose_many": "Choose {count} answers",
        "q.true_false": "True or false?",
        "q.keys_hint": "keys 1-{n} / {letters}, ↑↓ and space, or click",
        "q.enter_submits": "Enter submits",
        "q.enter_next": "Enter or → goes to the next question",
        "q.difficulty.easy": "easy",
        "q.difficulty.medium": "medium",
        "q.difficulty.hard": "hard",
        # feedback
        "fb.correct": "✓ Correct",
        "fb.incorrect": "✗ Incorrect",
        "fb.your_choice": "your choice",
        "fb.right_answer": "right answer",
        "fb.explanation": "Explanation",
        "fb.concepts": "Concepts",
        "fb.lab": "Lab",
        "fb.lab_later": "(running labs from the app comes later: `tutor lab {id}`)",
        "fb.lab_missing": "(lab '{id}' is not installed)",
        "fb.no_answer": "no answer",
        "fb.leech": "⚠ missed again and again",
        # practice
        "practice.title": "Practice",
        "practice.progress": "{pos} / {total}",
        "practice.done": "Done: {right} of {answered} right.",
        "practice.done_hint": "Press Escape to go back home.",
        "practice.empty": "No questions in this topic yet.",
        # review
        "review.title": "Review",
        "review.due": "{due} due",
        "review.nothing_due": "Nothing due.",
        "review.next_in": "Next review in {delta}.",
        "review.never": "Nothing to review yet: practise some questions first.",
        "review.done": "All due reviews done: {right} of {answered} right.",
        # exam
        "exam.title": "Exam",
        "exam.short": "Short exam: {count} questions in {minutes} minutes",
        "exam.full": "Full mock: {count} questions in {minutes} minutes",
        "exam.question": "Question {pos} / {total}",
        "exam.answered": "answered {answered}/{total}",
        "exam.flagged": "flagged {flagged}",
        "exam.flag_mark": "⚑ flagged for review",
        "exam.legend": "• answered\n⚑ flagged",
        "exam.confirm_finish": "Finish the exam and see your score?",
        "exam.confirm_unanswered": "{count} question(s) unanswered.",
        "exam.confirm_leave": "Leave the exam? It will not be scored.",
        "exam.empty": "No questions to build an exam from.",
        # report
        "report.title": "Exam report",
        "report.score": "Score {score} / {total} ({percent:.0f}%)",
        "report.timed_out": "Time ran out: unanswered questions count as wrong.",
        "report.by_topic": "By topic",
        "report.walk": "Every answer",
        "report.item": "{n}. {verdict}",
        "report.flagged": "⚑ flagged",
        "store.failed": "Could not save your answer; try again.",
        # durations
        "dur.minutes": "{n} min",
        "dur.hours": "{n} h",
        "dur.days": "{n} days",
        "dur.now": "a moment",
    },
    "ko": {
        "app.title": "tutor: 이미지 분류를 위한 전이 학습",
        "home.all_topics": "전체 주제",
        "home.col.topic": "주제",
        "home.col.questions": "문항",
        "home.col.seen": "풀이",
        "home.col.mastery": "숙련도",
        "home.due": "지금 복습할 문제: {due}",
        "home.due_none": "복습할 문제 없음",
        "home.leeches": "계속 틀리는 문제: {count}",
        "home.totals": "문항 {questions}개 · 푼 문항 {seen}개",
        "home.problems": "파일 {files}개에 문제가 있습니다: `tutor questions validate`를 실행하세요",
        "home.problems_more": "… 외 {more}건",
        "home.empty": "문제 은행이 비었습니다: 문제를 추가한 뒤 `tutor questions validate`를 실행하세요.",
        "home.hint": "주제에서 Enter를 누르면 그 주제를 연습합니다. 첫 줄은 전체 연습입니다.",
        "key.practice": "연습",
        "key.exam_short": "짧은 시험",
        "key.exam_full": "실전 모의고사",
        "key.review": "복습",
        "key.quit": "종료",
        "key.back": "뒤로",
        "key.submit": "제출",
        "key.next": "다음",
        "key.toggle": "선택",
        "key.prev_q": "이전",
        "key.next_q": "다음",
        "key.flag": "표시",
        "key.finish": "시험 종료",
        "key.home": "처음으로",
        "key.check_again": "다시 확인",
        "key.yes": "예",
        "key.no": "아니요",
        "q.choose_one": "답을 하나 고르세요",
        "q.choose_many": "답을 {count}개 고르세요",
        "q.true_false": "참인가 거짓인가?",
        "q.keys_hint": "1-{n} / {letters} 키, ↑↓와 스페이스, 또는 클릭",
        "q.enter_submits": "Enter로 제출",
        "q.enter_next": "Enter 또는 →로 다음 문제",
        "q.difficulty.easy": "쉬움",
        "q.difficulty.medium": "보통",
        "q.difficulty.hard": "어려움",
        "fb.correct": "✓ 정답",
        "fb.incorrect": "✗ 오답",
        "fb.your_choice": "내 선택",
        "fb.right_answer": "정답",
        "fb.explanation": "해설",
        "fb.concepts": "개념",
        "fb.lab": "실습",
        "fb.lab_later": "(앱에서 실습 실행은 나중에 지원됩니다: `tutor lab {id}`)",
        "fb.lab_missing": "(실습 '{id}'이(가) 설치되어 있지 않습니다)",
        "fb.no_answer": "답하지 않음",
        "fb.leech": "⚠ 계속 틀리는 문제",
        "practice.title": "연습",
        "practice.progress": "{pos} / {total}",
        "practice.done": "완료: {answered}문제 중 {right}문제 정답.",
        "practice.done_hint": "Escape를 누르면 처음 화면으로 돌아갑니다.",
        "practice.empty": "이 주제에는 아직 문제가 없습니다.",
        "review.title": "복습",
        "review.due": "{due}개 복습 예정",
        "review.nothing_due": "지금 복습할 문제가 없습니다.",
        "review.next_in": "다음 복습까지 {delta}.",
        "review.never": "아직 복습할 문제가 없습니다: 먼저 연습 문제를 풀어 보세요.",
        "review.done": "복습 완료: {answered}문제 중 {right}문제 정답.",
        "exam.title": "시험",
        "exam.short": "짧은 시험: {minutes}분 동안 {count}문제",
        "exam.full": "실전 모의고사: {minutes}분 동안 {count}문제",
        "exam.question": "문제 {pos} / {total}",
        "exam.answered": "답함 {answered}/{total}",
        "exam.flagged": "표시 {flagged}",
        "exam.flag_mark": "⚑ 다시 볼 문제로 표시됨",
        "exam.legend": "• 답함\n⚑ 표시",
        "exam.confirm_finish": "시험을 끝내고 점수를 볼까요?",
        "exam.confirm_unanswered": "답하지 않은 문제 {count}개.",
        "exam.confirm_leave": "시험을 그만둘까요? 채점되지 않습니다.",
        "exam.empty": "시험을 만들 문제가 없습니다.",
        "report.title": "시험 결과",
        "report.score": "점수 {score} / {total} ({percent:.0f}%)",
        "report.timed_out": "시간이 다 되었습니다: 답하지 않은 문제는 오답입니다.",
        "report.by_topic": "주제별",
        "report.walk": "모든 답 다시 보기",
        "report.item": "{n}. {verdict}",
        "report.flagged": "⚑ 표시함",
        "store.failed": "답을 저장하지 못했습니다. 다시 시도하세요.",
        "dur.minutes": "{n}분",
        "dur.hours": "{n}시간",
        "dur.days": "{n}일",
        "dur.now": "잠시",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The UI string `key` in `lang` (English fallback), formatted with `values`."""
    template = STRINGS.get(lang, {}).get(key) or STRINGS["en"].get(key) or key
    return template.format(**values) if values else template


def duration(lang: str, seconds: float) -> str:
    """A short human duration: '25 min', '3 h', '4 days'."""
    minutes = seconds / 60
    if minutes < 1:
        return t(lang, "dur.now")
    if minutes < 90:
        return t(lang, "dur.minutes", n=round(minutes))
    hours = minutes / 60
    if hours < 36:
        return t(lang, "dur.hours", n=round(hours))
    return t(lang, "dur.days", n=round(hours / 24))


def localize_bindings(node: Any, lang: str) -> None:
    """Translate the footer descriptions of a Textual node's bindings, written as string keys here.

    Textual reads descriptions from the per-instance bindings map it builds from the class BINDINGS,
    so rewriting that map right after construction localises the footer without duplicating classes.
    """
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(b, description=t(lang, b.description)) if b.description else b for b in bindings]
