"""The typed lab result (tutor.lab.result): result.json written and read in one place, old files still read,
claims grouped by the question they back, the verdict decided where claims are judged, checks apart, and the
verdict's picture (claims.png and its terminal twin)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tutor.lab.result import LabResult, ResultError
from tutor.lab.spec.claims import parse_claim
from tutor.lab.verdict.judged import judge_lab

OLD_RESULT = {  # result.json as the version before LabResult wrote it (says in English, claims not run as text)
    "lab": "tiny", "title": "Tiny", "profile": "quick", "status": "finished", "device": "cpu", "seeds": [0, 1, 2],
    "arms": {"a": {"val_acc": {"mean": 0.8, "sd": None, "per_seed": [0.8, 0.8, 0.8]}}},
    "arm_details": {"a": {"description": "A", "config": {}, "seeds_done": [0, 1, 2], "history": {}, "chosen": None}},
    "claims": [{"text": "a.val_acc > b.val_acc", "says": "a beats b", "holds": True, "opposite_holds": False,
                "numbers": {"left": {"mean": 0.8, "per_seed": [0.8] * 3}, "right": {"mean": 0.7, "per_seed": [0.7] * 3},
                            "margin": {"mean": 0.1, "sd": 0.0, "se": 0.0, "lower": 0.1, "upper": 0.1, "per_seed": [0.1] * 3},
                            "min_effect": 0.01, "needed": 0.01, "seeds": 3, "p_holds": 0.0, "p_opposite": 1.0,
                            "seeds_to_show": 2, "opposite_level": 0.05}}],
    "claims_not_run": ["c.val_acc > a.val_acc"], "verdict": "inconclusive", "timings": {"total_s": 3.0},
}


def _per_seed(**arms):
    n = len(next(iter(arms.values())))
    return [{(arm, "val_acc"): values[i] for arm, values in arms.items()} for i in range(n)]


def _claim(text, backs=(), says=None):
    import dataclasses

    return dataclasses.replace(parse_claim(text), backs=tuple(backs), says=says)


def test_an_old_result_json_still_reads(tmp_path):
    (tmp_path / "result.json").write_text(json.dumps(OLD_RESULT))
    r = LabResult.read(tmp_path)
    assert r.claims[0].says_in("ko") == "a beats b" and r.claims[0].backs == []
    assert [c.text for c in r.claims_not_run] == ["c.val_acc > a.val_acc"]
    assert r.metric("a", "val_acc").sd is None and r.best_arm() == "a" and r.total_s == 3.0


def test_result_json_round_trips(tmp_path):
    r = LabResult.model_validate(OLD_RESULT)
    path = r.write(tmp_path)
    assert LabResult.read(path) == r
    assert "NaN" not in path.read_text()


@pytest.mark.parametrize("content, words", [("{not json", "not JSON"), ('{"a": 1}', "not a lab result"),
                                            ('{"lab": "x", "status": "half"}', "status")])
def test_a_file_that_is_not_a_result_is_one_line(tmp_path, content, words):
    (tmp_path / "result.json").write_text(content)
    with pytest.raises(ResultError) as info:
        LabResult.read(tmp_path)
    assert words in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ResultError):
        LabResult.read(tmp_path / "missing")


def test_the_verdict_is_decided_where_claims_are_judged_and_checks_stay_apart():
    values = _per_seed(a=[0.80, 0.82, 0.81, 0.83], b=[0.70, 0.71, 0.72, 0.70], c=[0.9, 0.9, 0.9, 0.9])
    claims = [_claim("a.val_acc > b.val_acc", ["q1"]), _claim("b.val_acc > a.val_acc", ["q2"]),
              _claim("c.val_acc > a.val_acc", ["q1"])]
    checks = [_claim("b.val_acc > a.val_acc")]  # a failing check never makes the lab contradicted
    judged = judge_lab(claims[:1], checks, values, ["a", "b"])
    assert judged.verdict == "reproduced" and judged.checks[0].status == "opposite"
    judged = judge_lab(claims, [], values, ["a", "b"])
    assert judged.verdict == "contradicted" and [c.text for c in judged.claims_not_run] == ["c.val_acc > a.val_acc"]
    assert judged.claims[0].backs == ["q1"] and judged.claims[1].status == "opposite"


def test_claims_grouped_by_question_the_opened_one_first():
    values = _per_seed(a=[0.80, 0.82, 0.81, 0.83], b=[0.70, 0.71, 0.72, 0.70])
    claims = [_claim("a.val_acc > b.val_acc", ["q1", "q2"]), _claim("b.val_acc > a.val_acc - 0.5", ["q2"]),
              _claim("a.val_acc > b.val_acc + 0.5", ["q3"])]
    judged = judge_lab(claims, [], values, ["a", "b"])
    r = LabResult(lab="x", questions=["q1", "q2", "q3"], claims=judged.claims, verdict=judged.verdict)
    groups = r.by_question()
    assert [g.id for g in groups] == ["q1", "q2", "q3"]
    assert [g.status for g in groups] == ["shown", "shown", "opposite"]
    assert [g.id for g in r.by_question("q3")] == ["q3", "q1", "q2"]
    assert [g.id for g in r.by_question("not-linked")] == ["q1", "q2", "q3"]
    assert len(groups[1].claims) == 2 and groups[1].claims[0] is groups[0].claims[0]  # one claim, two questions


def test_console_report_per_question_with_its_assertion():
    from tutor.lab.report.console import claim_lines, question_assertion

    values = _per_seed(a=[0.80, 0.82, 0.81, 0.83], b=[0.70, 0.71, 0.72, 0.70])
    judged = judge_lab([_claim("a.val_acc > b.val_acc", ["q1"]), _claim("b.val_acc > a.val_acc - 0.2", ["q2"])],
                       [_claim("a.val_acc > 0.5")], values, ["a", "b"])
    r = LabResult(lab="x", questions=["q1", "q2"], claims=judged.claims, checks=judged.checks, verdict=judged.verdict)
    lines = claim_lines(r, first="q2", assertions={"q1": "A beats B.", "q2": "B is not far behind A."})
    text = "\n".join(lines)
    assert text.index("Question q2") < text.index("B is not far behind A.") < text.index("Question q1")
    assert "C2 " in text and "the claim tolerates down to -20.0 pts" in text and "Checks" in text

    from types import SimpleNamespace

    q = SimpleNamespace(asserts=None, stem={"en": "A model fits well. Which is true?", "ko": "모델이 잘 맞는다. 무엇이 옳은가?"})
    assert question_assertion(q, "en") == "A model fits well."
    q.asserts = {"en": "More data beats dropout.", "ko": "데이터가 드롭아웃을 이긴다."}
    assert question_assertion(q, "ko") == "데이터가 드롭아웃을 이긴다."


def test_the_verdicts_picture_in_the_terminal_and_as_claims_png(tmp_path):
    pytest.importorskip("matplotlib")
    from tutor.lab.report.forest import forest_figure, forest_lines
    from tutor.lab.report.plots import _plt, save_figure

    values = [{("a", "val_acc"): 0.8 + 0.01 * i, ("b", "val_acc"): 0.7, ("a", "final_loss"): 0.2,
               ("b", "final_loss"): 0.5 + 0.01 * i} for i in range(4)]
    judged = judge_lab([_claim("a.val_acc > b.val_acc", ["q1"]), _claim("a.final_loss < b.final_loss", ["q2"])],
                       [], values, ["a", "b"])
    r = LabResult(lab="x", title="X", questions=["q1", "q2"], claims=judged.claims, verdict=judged.verdict)
    lines = forest_lines(r, 80)
    assert any("C1" in line and "●" in line for line in lines) and any("(own unit)" in line for line in lines)
    from rich.text import Text

    assert all(Text.from_markup(line).cell_len <= 80 for line in lines[2:])  # the rows fit an 80-column terminal
    path = save_figure(forest_figure(r, _plt()), tmp_path, "claims.png", tight=False)
    assert path.stat().st_size > 10_000
    assert forest_figure(LabResult(lab="x"), _plt()) is None and forest_lines(LabResult(lab="x")) == []


def test_the_result_loads_without_torch():
    code = ("import sys, tutor.lab.result, tutor.lab.events, tutor.lab.report.units; "
            "sys.exit(bool({'torch', 'matplotlib'} & set(sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
