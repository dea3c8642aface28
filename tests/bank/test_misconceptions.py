"""The misconception catalogue and the fields that point into it: `misconception:` on a distractor, `asserts:`
on a question. Each problem is one FILE:LINE: message at the line to fix; the good entries are kept."""

from __future__ import annotations

from tutor import paths
from tutor.bank import load_bank
from tutor.bank.labrefs import LabRef

LABS = {"underfitting": LabRef("underfitting", {"en": "Underfitting"}, {}, frozenset({"baseline"}))}

CATALOGUE = """\
misconceptions:
  - id: dropout-fixes-underfitting
    text: {en: Dropout cures underfitting., ko: 드롭아웃이 과소적합을 고친다.}
    lab: underfitting
  - id: bigger-model-fixes-small-data
    text: {en: A bigger model makes up for little data., ko: 큰 모델이 적은 데이터를 메운다.}
"""

QUESTION = """\
questions:
  - id: q-1
    topic: fitting
    stem: {en: "Train 73%, validation 72%. What helps?", ko: "훈련 73%, 검증 72%. 무엇이 도움이 되나?"}
    asserts: {en: Low and close accuracies mean bias., ko: 둘 다 낮고 가까우면 편향이다.}
    options:
      - {key: A, text: {en: Add some dropout., ko: 드롭아웃 추가.}, why: {en: No., ko: 아니다.}, misconception: dropout-fixes-underfitting}
      - {key: B, text: {en: A bigger backbone., ko: 더 큰 백본.}, why: {en: Yes., ko: 그렇다.}}
    answer: B
    explanation: {en: Bias., ko: 편향.}
"""


def _bank(tmp_path, catalogue: str = CATALOGUE, question: str = QUESTION):
    (tmp_path / "topics.yaml").write_text("topics:\n  - {id: fitting, title: Fitting}\n", encoding="utf-8")
    (tmp_path / "misconceptions.yaml").write_text(catalogue, encoding="utf-8")
    (tmp_path / "q.yaml").write_text(question, encoding="utf-8")
    return load_bank([tmp_path], labs=LABS)


def _lines(bank) -> list[str]:
    return [f"{p.file.rsplit('/', 1)[-1]}:{p.line}: {p.message}" for p in bank.problems]


def test_a_good_catalogue_and_question_load(tmp_path):
    bank = _bank(tmp_path)
    assert bank.problems == []
    assert set(bank.misconceptions.entries) == {"dropout-fixes-underfitting", "bigger-model-fixes-small-data"}
    assert bank.misconceptions.entries["dropout-fixes-underfitting"].lab == "underfitting"
    assert bank.misconceptions.origin["bigger-model-fixes-small-data"].endswith("misconceptions.yaml:5")
    q = bank.questions["q-1"]
    assert q.options[0].misconception == "dropout-fixes-underfitting" and q.options[1].misconception is None
    assert q.asserts == {"en": "Low and close accuracies mean bias.", "ko": "둘 다 낮고 가까우면 편향이다."}


def test_a_distractor_without_a_misconception_is_not_a_validate_error(tmp_path):
    bank = _bank(tmp_path, question=QUESTION.replace(", misconception: dropout-fixes-underfitting", ""))
    assert bank.problems == [] and "q-1" in bank.questions


def test_an_unknown_id_is_reported_at_its_option(tmp_path):
    bank = _bank(tmp_path, question=QUESTION.replace("misconception: dropout-fixes-underfitting", "misconception: dropout-cures-all"))
    assert _lines(bank) == ["q.yaml:7: unknown misconception 'dropout-cures-all' (add it to questions/misconceptions.yaml)"]


def test_a_key_may_not_name_a_misconception(tmp_path):
    keyed = QUESTION.replace("why: {en: Yes., ko: 그렇다.}}", "why: {en: Yes., ko: 그렇다.}, misconception: bigger-model-fixes-small-data}")
    assert _lines(_bank(tmp_path, question=keyed)) == ["q.yaml:8: option B is a key: only a distractor names a misconception"]


def test_a_translated_stem_needs_a_translated_asserts(tmp_path):
    bank = _bank(tmp_path, question=QUESTION.replace("asserts: {en: Low and close accuracies mean bias., ko: 둘 다 낮고 가까우면 편향이다.}", "asserts: Low and close accuracies mean bias."))
    assert _lines(bank) == ["q.yaml:5: the stem has ko text but 'asserts' does not"]


def test_catalogue_problems_each_name_their_line(tmp_path):
    catalogue = CATALOGUE + (
        "  - id: dropout-fixes-underfitting\n"
        "    text: {en: Twice., ko: 두 번.}\n"
        "  - id: english-only\n"
        "    text: Only English.\n"
        "  - id: Bad_Id\n"
        "    text: {en: x, ko: 엑스}\n"
        "  - id: no-such-lab\n"
        "    text: {en: x, ko: 엑스}\n"
        "    lab: nosuchlab\n"
        "  - id: extra-field\n"
        "    text: {en: x, ko: 엑스}\n"
        "    colour: red\n"
    )
    lines = _lines(_bank(tmp_path, catalogue=catalogue))
    assert lines[1:] == [
        "misconceptions.yaml:10: a misconception is written in English and Korean: add its ko text",
        "misconceptions.yaml:11: id: 'Bad_Id' must be lowercase letters, digits and dashes (e.g. 'output-layer')",
        "misconceptions.yaml:15: lab 'nosuchlab' is not defined in labs/ (known: underfitting)",
        "misconceptions.yaml:18: unknown field 'colour'",
    ]
    assert lines[0].startswith("misconceptions.yaml:7: duplicate misconception 'dropout-fixes-underfitting' (first defined at ")
    assert lines[0].endswith("misconceptions.yaml:2)")


def test_a_file_that_is_not_a_catalogue_list_is_one_problem(tmp_path):
    bare = QUESTION.replace(", misconception: dropout-fixes-underfitting", "")
    assert _lines(_bank(tmp_path, catalogue="misconceptions: {id: x}\n", question=bare)) == [
        "misconceptions.yaml:1: 'misconceptions' must be a non-empty list of {id, text, lab} entries"
    ]


def test_the_shipped_catalogue_is_valid_and_bilingual():
    bank = load_bank([paths.questions_dir()])
    assert not [p for p in bank.problems if p.file.endswith("misconceptions.yaml")]
    assert len(bank.misconceptions) >= 3
    assert all(set(m.text) == {"en", "ko"} for m in bank.misconceptions)


def test_the_lint_names_distractors_without_a_misconception_and_unused_entries(tmp_path):
    from tutor.bank.lint import lint

    bank = _bank(tmp_path)
    report = lint(bank)
    assert [str(f).rsplit("/", 1)[-1] for f in report.findings] == [
        "misconceptions.yaml:5: misconception 'bigger-model-fixes-small-data' is named by no distractor: name it, or drop the entry"
    ]
    checks = {c.name: c for c in report.checks}
    assert (checks["distractors without a misconception"].value, checks["distractors without a misconception"].ok) == ("0 of 1 (0 %)", True)
    assert checks["misconceptions named by no distractor"].value == "1 of 2 (50 %)"
    assert checks["misconceptions shared by 2+ distractors"].value == "0 of 2 (0 %)"

    bare = _bank(tmp_path, question=QUESTION.replace(", misconception: dropout-fixes-underfitting", ""))
    report = lint(bare, ["q-1"])  # only these questions: no catalogue entry is audited unless named
    assert [f.message for f in report.findings] == [
        "option A names no misconception: add `misconception: ID` for the wrong belief each stands for (from questions/misconceptions.yaml)"
    ]
    checks = {c.name: c for c in report.checks}
    assert (checks["distractors without a misconception"].value, checks["distractors without a misconception"].ok) == ("1 of 1 (100 %)", False)
    assert "misconceptions named by no distractor" not in checks
    assert report.failed


def test_catalogue_text_is_linted_like_question_text(tmp_path):
    from tutor.bank.lint import lint

    (tmp_path / "glossary.yaml").write_text("terms:\n  - {en: task, ko: 작업, avoid: [과제]}\n", encoding="utf-8")
    catalogue = CATALOGUE.replace("드롭아웃이 과소적합을 고친다.", "드롭아웃이 이 과제의 과소적합을 고친다.").replace(
        "ko: 큰 모델이 적은 데이터를 메운다.", "ko: As the notes say.")
    messages = [str(f).rsplit("/", 1)[-1] for f in lint(_bank(tmp_path, catalogue=catalogue)).findings]
    assert "misconceptions.yaml:2: Korean uses '과제': the glossary says '작업' (task)" in messages
    assert "misconceptions.yaml:5: misconception 'bigger-model-fixes-small-data' is marked Korean but is not translated" in messages
    assert any(m.startswith("misconceptions.yaml:5: refers to 'the notes'") for m in messages)


def test_asserts_is_one_short_line(tmp_path):
    from tutor.bank.lint import MAX_ASSERTS, lint

    long = "x " * MAX_ASSERTS
    bank = _bank(tmp_path, question=QUESTION.replace("Low and close accuracies mean bias.", long.strip()))
    assert any(f.message.startswith("'asserts' (en) is one line of at most 200 characters") for f in lint(bank).findings)
    assert not any("'asserts'" in f.message for f in lint(_bank(tmp_path)).findings)


def test_a_lab_linked_question_without_asserts_is_flagged(tmp_path):
    from tutor.bank.lint import lint

    linked = QUESTION.replace("    explanation: {en: Bias., ko: 편향.}\n", "    explanation: {en: Bias., ko: 편향.}\n    lab: underfitting\n")
    messages = [f.message for f in lint(_bank(tmp_path, question=linked)).findings]
    assert not any("no `asserts:`" in m for m in messages)
    bare = "\n".join(line for line in linked.splitlines() if "asserts:" not in line) + "\n"
    messages = [f.message for f in lint(_bank(tmp_path, question=bare)).findings]
    assert "linked to lab 'underfitting' but has no `asserts:`: the lab page shows the stem's first sentence as its claim instead" in messages
