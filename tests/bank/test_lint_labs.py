"""Labs are read by the same learners as questions: their text is linted for glossary variants, references to
the notes and internal question ids, each finding at its FILE:LINE; a question is linted for shown ids too."""

from __future__ import annotations

from tutor import paths
from tutor.bank import load_bank
from tutor.bank.labtext import lab_texts, lint_labs
from tutor.bank.lint import lint
from tutor.bank.schema import Term
from tutor.bank.textrules import shown_ids
from tutor.cli import main

GLOSSARY = [Term(en="task", ko="작업", avoid=["과제"]), Term(en="noise", ko="노이즈", avoid=["잡음"])]
IDS = {"softmax-loss-pairing", "momentum-update", "over-augmentation"}

LAB = """\
id: demo
title: {en: "Noise in the labels", ko: "레이블 잡음"}
summary: As the notes' table says, noise hurts.
questions: [softmax-loss-pairing, momentum-update]
arms:
  base:
    label:
      en: "the baseline of softmax-loss-pairing"
      ko: "기준선 (과제 그대로)"
  other:
    label: {en: "over-augmentation, as in `momentum-update`", ko: "노트의 표대로"}
claims:
  - claim: base.val_acc > other.val_acc
    says: {en: "clean labels win", ko: "깨끗한 레이블이 이긴다"}
"""


def test_lab_text_is_linted_with_its_line(tmp_path):
    (tmp_path / "demo.yaml").write_text(LAB, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")  # `tutor lab`'s to report
    findings = [str(f).removeprefix(str(tmp_path) + "/") for f in lint_labs([tmp_path], GLOSSARY, IDS)]
    assert findings == [
        "demo.yaml:2: Korean uses '잡음': the glossary says '노이즈' (noise)",
        "demo.yaml:3: refers to 'the notes', which the learner cannot see: state the fact (and where it was measured)",
        "demo.yaml:8: shows the internal question id softmax-loss-pairing: say what the question asks instead",
        "demo.yaml:9: Korean uses '과제': the glossary says '작업' (task)",
        "demo.yaml:11: shows the internal question id momentum-update: say what the question asks instead",
        "demo.yaml:11: refers to '노트', which the learner cannot see: state the fact (and where it was measured)",
    ]


def test_the_ids_a_lab_backs_are_not_learner_text(tmp_path):
    (tmp_path / "demo.yaml").write_text(LAB, encoding="utf-8")
    texts = {t.value for t in lab_texts(tmp_path / "demo.yaml")}
    assert "softmax-loss-pairing" not in texts and "clean labels win" in texts and "기준선 (과제 그대로)" in texts


def test_short_ids_count_only_when_quoted():
    assert shown_ids("see softmax-loss-pairing", IDS) == ["softmax-loss-pairing"]
    assert shown_ids("over-augmentation blurs digits", IDS) == []  # an ordinary hyphenated word
    assert shown_ids("as in `over-augmentation`", IDS) == ["over-augmentation"]
    assert shown_ids("momentum-updates", IDS) == [] and shown_ids("a-softmax-loss-pairing", IDS) == []


def test_a_question_showing_an_id_is_flagged(tmp_path):
    (tmp_path / "topics.yaml").write_text("topics:\n  - {id: demo, title: Demo}\n", encoding="utf-8")
    (tmp_path / "q.yaml").write_text(
        "questions:\n"
        "  - id: first-question-here\n    topic: demo\n    stem: Which holds?\n"
        "    options:\n      - {key: A, text: One., why: Yes.}\n      - {key: B, text: Two., why: 'Unlike first-question-here, no.'}\n"
        "    answer: A\n    explanation: See the other item.\n",
        encoding="utf-8",
    )
    report = lint(load_bank([tmp_path], labs={}))
    assert "shows the internal question id first-question-here: say what the question asks instead" in [f.message for f in report.findings]


def test_the_default_lint_run_ends_with_the_labs(tmp_path, monkeypatch, capsys):
    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "demo.yaml").write_text(LAB.replace("id: demo", "id: lint-demo-lab"), encoding="utf-8")
    monkeypatch.setenv("TUTOR_LABS", str(labs))
    main(["questions", "lint"])
    out = capsys.readouterr().out
    assert f"{labs / 'demo.yaml'}:3: refers to 'the notes'" in out or "demo.yaml:3: refers to 'the notes'" in out
    summary = out[out.rindex("\nlabs "):]
    assert "lab files" in summary and "findings (warnings)" in summary


def test_the_shipped_labs_are_all_read():
    for path in sorted(paths.labs_dir().glob("*.yaml")):
        assert lab_texts(path), f"{path}: no learner text found (does it still parse?)"


def test_a_word_right_for_another_term_is_flagged_where_the_english_names_this_one(tmp_path):
    # 정규화 is normalisation: an avoid list cannot forbid it, but beside "it regularises" it is a mistranslation
    glossary = [Term(en="regularisation", ko="정칙화", en_stem="regulari", mistaken=["정규화"]),
                Term(en="normalisation", ko="정규화")]
    lab = ("id: demo\ntitle: {en: Dropout, ko: 드롭아웃}\nlook_at:\n"
           "  en: Dropout lowers training accuracy (it regularises).\n"
           "  ko: 드롭아웃은 훈련 정확도를 낮춘다(정규화일 뿐이다).\n"
           "summary: {en: Batch normalisation helps., ko: 배치 정규화가 돕는다.}\n"
           "arms:\n  a: {label: {en: weight decay regularises, ko: 가중치 감쇠로 정칙화한다(배치 정규화 없이)}}\n")
    (tmp_path / "demo.yaml").write_text(lab, encoding="utf-8")
    findings = [str(f).removeprefix(str(tmp_path) + "/") for f in lint_labs([tmp_path], glossary, set())]
    assert findings == ["demo.yaml:5: Korean says '정규화' where the English says regularisation: the glossary says '정칙화'"]
