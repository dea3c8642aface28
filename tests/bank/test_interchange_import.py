"""Importing GIFT, Moodle XML and Aiken: supported types become valid tutor YAML, the rest are listed,
every problem is one FILE:LINE: line, and hostile files are refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.bank import load_bank
from tutor.bank.interchange import aiken, gift, moodle_xml
from tutor.bank.interchange.build import NO_FEEDBACK
from tutor.bank.interchange.commands import import_files
from tutor.bank.schema import Question
from tutor.cli import main

DATA = Path(__file__).parents[1] / "data" / "interchange"


def _import(tmp_path: Path, name: str, capsys, *extra: str) -> tuple[int, list[str], Path]:
    out = tmp_path / "out"
    code = main(["questions", "import", str(DATA / name), "--out", str(out), *extra])
    report = capsys.readouterr()
    return code, report.out.splitlines(), out


def _validate(out: Path, capsys) -> None:
    assert main(["questions", "validate", str(out)]) == 0, capsys.readouterr()
    capsys.readouterr()


def _by_line(lines: list[str]) -> dict[int, str]:
    return {int(line.split(":")[1]): line for line in lines}


def test_gift_fixture_imports_supported_types_and_lists_the_rest(tmp_path, capsys):
    code, lines, out = _import(tmp_path, "every-type.gift.txt", capsys)
    assert code == 0, lines
    report = _by_line(lines)
    imported = {n: line.split("'")[1] for n, line in report.items() if ": imported '" in line}
    assert imported == {
        8: "frozen-backbone-small-data", 16: "augmentations", 24: "head-replaced", 27: "batch-norm-statistics",
        30: "weight-decay-shrinks-weights-towards-zero", 33: "escapes", 39: "dropout-randomly-activations-during-training",
        42: "markdown", 78: "partial-credit",
    }
    listed = {n: line.split("not imported: ")[1] for n, line in report.items() if "not imported" in line}
    assert listed == {
        48: "essay 'Explain freezing'", 51: "matching 'Match layers'", 58: "numerical 'Epochs'",
        61: "numerical 'Learning rate exponent'", 64: "numerical 'Image size'", 67: "short answer 'Short name'",
        70: "description (no answers) 'Section intro'", 73: "cloze-like (more than one answer block)",
    }
    assert all("every-type.gift.txt:" in line.split(" ")[0] for line in lines)
    _validate(out, capsys)
    bank = load_bank([out])
    q = bank.questions
    assert q["frozen-backbone-small-data"].topic == "transfer"  # category named by a shipped topic's title
    assert q["frozen-backbone-small-data"].concepts == ["feature-extraction", "small-data"]
    assert q["frozen-backbone-small-data"].explanation["en"].startswith("With little data")
    assert q["augmentations"].type == "multiple" and q["augmentations"].answers == {"A", "B"}
    assert q["augmentations"].stem["en"] == "Which two augmentations suit photos of parts on a conveyor belt?"
    assert q["augmentations"].option("D").text["en"] == "Colour inversion"
    tf = q["batch-norm-statistics"]
    assert tf.answer == "F" and tf.option("F").why["en"] == "Right, they matter." and tf.option("T").why["en"].startswith("They do")
    assert tf.explanation["en"] == "Freeze them with a small batch size."
    assert q["head-replaced"].answer == "T" and q["head-replaced"].option("T").why["en"] == NO_FEEDBACK
    esc = q["escapes"]
    assert esc.stem["en"] == "Which ratio is written 1:4 and uses {braces} and a # sign?"
    assert esc.option("A").text["en"] == "The one with 1:4 = 0.25" and esc.option("A").why["en"] == "Yes ~ exactly."
    assert "_____" in q["dropout-randomly-activations-during-training"].stem["en"]
    assert q["markdown"].option("A").text["en"] == "`Flatten`"
    assert q["partial-credit"].topic == "regularisation" and q["partial-credit"].answer == "A"


def test_broken_gift_reports_every_problem_at_its_line_and_keeps_the_good_question(tmp_path, capsys):
    code, lines, out = _import(tmp_path, "broken.gift.txt", capsys)
    assert code == 1
    report = _by_line(lines)
    assert "never closed" in report[3]
    assert "imported 'good-one'" in report[5]
    assert "text before the first answer" in report[7]
    assert "'}' without '{'" in report[9]
    assert "needs at least 2" in report[11]
    _validate(out, capsys)  # the new topic named after the file is written to out/topics.yaml
    assert (out / "topics.yaml").exists()


def test_moodle_xml_fixture_imports_supported_types_and_lists_the_rest(tmp_path, capsys):
    code, lines, out = _import(tmp_path, "every-type.xml", capsys)
    assert code == 0, lines
    report = _by_line(lines)
    assert [n for n, line in report.items() if ": imported '" in line] == [8, 36, 47]
    listed = [line.split("not imported: ")[1].split(" '")[0] for line in lines if "not imported" in line]
    assert listed == [
        "essay", "matching", "numerical", "short answer", "cloze (embedded answers)", "description",
        "drag and drop into text", "select missing words", "drag and drop onto image", "drag and drop markers",
        "calculated", "calculated (simple)", "calculated multichoice", "random short-answer matching", "random question",
        "2 options are marked right (a single-answer question has exactly one)",
    ]
    _validate(out, capsys)
    written = (out / "every-type-xml.yaml").read_text()
    assert "<" not in written and "&amp;" not in written and "&nbsp;" not in written
    q = load_bank([out]).questions
    flip = q["xray-flip"]
    assert flip.topic == "augmentation" and not flip.shuffle and flip.concepts == ["anatomy", "flips"]
    assert flip.stem["en"] == "Your images are chest X-rays. Which augmentation is risky?\n\n[image: An X-ray]"
    assert flip.option("A").why["en"] == "Right: a flip puts the heart on the wrong side & misleads the model."
    assert flip.option("C").why["en"] == NO_FEEDBACK
    assert flip.explanation["en"].endswith("- Keep flips off\n- Small rotations are fine")
    assert q["two-remedies"].answers == {"A", "B"}
    assert q["mixup-labels"].answer == "T" and q["mixup-labels"].option("F").why["en"] == "The labels are mixed too."


def test_aiken_imports_with_placeholder_whys(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["questions", "import", str(DATA / "good.aiken.txt"), "--out", str(out), "--topic", "layers"]) == 0
    report = capsys.readouterr()
    assert "no feedback in Aiken" in report.err
    _validate(out, capsys)
    questions = list(load_bank([out]).questions.values())
    assert [q.answer for q in questions] == ["B", "B"] and all(q.topic == "layers" for q in questions)
    assert {o.why["en"] for q in questions for o in q.options} == {NO_FEEDBACK}
    assert not (out / "topics.yaml").exists()


def test_broken_aiken_reports_all_problems(tmp_path, capsys):
    code, lines, _ = _import(tmp_path, "broken.aiken.txt", capsys)
    assert code == 1
    report = _by_line(lines)
    assert sorted(report) == [1, 8, 10, 14]
    assert "needs at least 2" in report[1] and "'C' is not one of the options" in report[8]
    assert "no 'ANSWER:' line" in report[10] and "without a question" in report[14]


def test_new_topic_from_topic_option(tmp_path, capsys):
    code, _, out = _import(tmp_path, "good.aiken.txt", capsys, "--topic", "Vision transformers")
    assert code == 0
    _validate(out, capsys)
    topics = load_bank([out]).topics
    assert topics["vision-transformers"].title["en"] == "Vision transformers"


HOSTILE = {
    "bomb.xml": ('<?xml version="1.0"?>\n<!DOCTYPE q [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<quiz>&b;</quiz>\n', "declares entities"),
    "external.xml": ('<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>&x;</quiz>\n', "declares entities"),
    "deep.xml": ('<?xml version="1.0"?>\n<quiz>' + "<a>" * 500 + "</a>" * 500 + "</quiz>", "nested deeper"),
    "broken.xml": ('<?xml version="1.0"?>\n<quiz>\n<question type="multichoice">\n</quiz>\n', "not well-formed XML"),
    "other.xml": ('<?xml version="1.0"?>\n<html><body/></html>\n', "not a Moodle XML question file"),
    "huge.gift": ("Is this big?{T}\n" * 400, "over the"),
    "latin1.gift": (b"caf\xe9 {T}\n", "not UTF-8"),
    "binary.gift": (b"\x00\x01\x02{T}", "binary"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_refused_with_one_line(tmp_path, capsys, monkeypatch, name):
    monkeypatch.setattr("tutor.bank.interchange.text.MAX_BYTES", 4000)
    content, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main(["questions", "import", str(path), "--out", str(tmp_path / "out")]) == 1
    report = capsys.readouterr()
    assert len(report.out.splitlines()) == 1 and expected in report.out
    assert f"{name}:" in report.out.split(" ")[0]
    assert "Traceback" not in report.err


def test_format_detection_and_explicit_format(tmp_path, capsys):
    plain = tmp_path / "quiz.txt"
    plain.write_text((DATA / "good.aiken.txt").read_text())
    assert import_files([plain], tmp_path / "a", topic="layers", say=lambda _: None) == 0
    assert import_files([plain], tmp_path / "b", topic="layers", fmt="aiken", say=lambda _: None) == 0
    assert len(load_bank([tmp_path / "a"]).questions) == 2


def test_export_refuses_both_languages_for_gift(tmp_path, capsys):
    assert main(["questions", "export", "--format", "gift", "--lang", "both", "--out", str(tmp_path / "x.gift")]) == 2
    assert "one language" in capsys.readouterr().err


def test_export_of_given_bank_round_trips_through_the_cli(tmp_path, capsys):
    code, _, out = _import(tmp_path, "every-type.xml", capsys)
    assert code == 0
    exported = tmp_path / "again.xml"
    assert main(["questions", "export", str(out), "--format", "moodle-xml", "--out", str(exported)]) == 0
    again = tmp_path / "again"
    assert main(["questions", "import", str(exported), "--out", str(again)]) == 0
    capsys.readouterr()
    first, second = load_bank([out]).questions, load_bank([again]).questions
    assert {k: v.model_dump() for k, v in first.items()} == {k: v.model_dump() for k, v in second.items()}


# --- the GIFT grammar's escapes, for any text -----------------------------------------------------------

_TEXT = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Zl", "Zp")), st.sampled_from("\\:#=~{}%[]\n")),
    min_size=1, max_size=40,
).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(stem=_TEXT, right=_TEXT, wrong=_TEXT, why=_TEXT, explanation=_TEXT)
def test_gift_escapes_round_trip_any_text(stem, right, wrong, why, explanation):
    q = Question.model_validate({
        "id": "any", "topic": "t", "stem": stem, "answer": "A", "explanation": explanation,
        "options": [{"key": "A", "text": right, "why": why}, {"key": "B", "text": wrong, "why": why}],
    })
    parsed = gift.parse(gift.dump([q]), "x.gift")
    assert not parsed.problems and not parsed.skipped
    (back,) = parsed.questions
    assert back.stem == q.stem["en"] and back.explanation == q.explanation["en"]
    assert [(c.text, c.why, c.correct) for c in back.choices] == [(right.strip(), why.strip(), True), (wrong.strip(), why.strip(), False)]


def test_readers_are_plain_functions():
    assert gift.parse("Q?{T}", "f").questions[0].type == "true_false"
    assert aiken.parse("Q?\nA. x\nB. y\nANSWER: A\n", "f").questions[0].choices[0].correct
    assert not moodle_xml.parse("<quiz/>", "f").questions


def test_export_of_given_bank_with_its_own_and_shipped_topics(tmp_path, capsys):
    out = tmp_path / "out"
    files = [str(DATA / "every-type.gift.txt"), str(DATA / "broken.gift.txt")]
    assert main(["questions", "import", *files, "--out", str(out)]) == 1  # broken.gift.txt has problems
    assert main(["questions", "export", str(out), "--format", "gift", "--out", str(tmp_path / "x.gift")]) == 0
    capsys.readouterr()
    exported = gift.parse((tmp_path / "x.gift").read_text(), "x.gift")
    assert len(exported.questions) == 10
    assert {q.category.split("/")[-1] for q in exported.questions} == {"transfer", "regularisation", "broken"}


def test_category_line_directly_above_a_question():
    parsed = gift.parse("$CATEGORY: a/b\n::X::Q?{T}\n\nQ2?{F}", "f")
    assert [(q.line, q.category, q.name) for q in parsed.questions] == [(2, "a/b", "X"), (4, "a/b", "")]


def test_korean_text_is_stored_as_the_fallback_and_marked(tmp_path, capsys):
    path = tmp_path / "ko.gift"
    path.write_text("::전이 학습::사전 학습된 백본을 먼저 동결한다.{T#동결하지 않으면 특징이 망가진다.#맞다.}\n", encoding="utf-8")
    assert main(["questions", "import", str(path), "--out", str(tmp_path / "out"), "--topic", "freezing"]) == 0
    assert "Korean text stored as the en (fallback) text" in capsys.readouterr().out
    _validate(tmp_path / "out", capsys)
    (q,) = load_bank([tmp_path / "out"]).questions.values()
    assert q.stem == {"en": "사전 학습된 백본을 먼저 동결한다."} and q.option("F").why["en"] == "동결하지 않으면 특징이 망가진다."
    assert q.id.startswith("q-") and len(q.id) == 12  # no Latin letters to make a slug: a hash of the text, stable
