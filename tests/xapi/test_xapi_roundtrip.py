"""Export -> import moves a learner's history (same attempts, same FSRS cards and due dates), twice without
duplicates; hostile statement files give one line each and change nothing."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from tutor.cli import main
from tutor.study.store import Store, answer_record
from tutor.xapi.export import statements
from tutor.xapi.model import check

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def _history(store, bank, n=60, seed=3):
    rng = random.Random(seed)
    qs = [q for q in bank.questions.values() if q.lab is None]  # the CLI loads without the test labs
    for i in range(n):
        q = rng.choice(qs)
        keys = [o.key for o in q.options]
        chosen = rng.sample(keys, len(q.answers))
        store.add(answer_record(q.id, chosen, q.is_correct(chosen), mode=rng.choice(["practice", "exam", "review"]),
                                now=T0 + timedelta(hours=5 * i, seconds=rng.random()), seconds=rng.uniform(2, 90),
                                shown=rng.sample(keys, len(keys))))


def _same(a, b):
    key = lambda x: (x.statement_id, x.question_id, x.chosen, x.correct, x.mode, x.answered_at, x.shown, round(x.seconds, 3))
    return sorted(map(key, a)) == sorted(map(key, b))


@pytest.fixture
def banked(tiny_bank, monkeypatch, tmp_path):
    monkeypatch.setenv("TUTOR_BANKS", str(tmp_path / "bank"))
    return tiny_bank


def test_every_statement_is_valid_xapi_with_the_fields_the_issue_names(store, banked):
    _history(store, banked, n=10)
    out = list(statements(store, banked))
    assert len(out) == 10
    s = out[0]
    assert s["actor"]["account"]["homePage"] == "urn:tutor" and s["actor"]["account"]["name"].startswith("learner-")
    assert s["object"]["id"].startswith("urn:tutor:question:") and s["object"]["definition"]["interactionType"] == "choice"
    assert {"success", "response", "duration"} <= s["result"].keys()
    assert {"urn:tutor:mode", "urn:tutor:shown", "urn:tutor:first"} <= s["context"]["extensions"].keys()
    firsts = [x for x in out if x["context"]["extensions"]["urn:tutor:first"]]
    assert len(firsts) == len({x["object"]["id"] for x in out})
    assert all(check(x) for x in out)


def test_export_then_import_round_trips_history_and_cards_twice_without_duplicates(banked, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "a"))
    with Store() as a:
        _history(a, banked)
        attempts, cards, due = a.attempts(), a.cards(), a.due_times()
    assert main(["progress", "export", "--xapi", str(tmp_path / "me.jsonl")]) == 0
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "b"))
    for _ in range(2):
        assert main(["progress", "import", "--xapi", str(tmp_path / "me.jsonl")]) == 0
    with Store() as b:
        assert len(b.attempts()) == len(attempts) and _same(b.attempts(), attempts)
        assert {q: c.to_json() for q, c in b.cards().items()} == {q: c.to_json() for q, c in cards.items()}
        assert b.due_times() == due
    err = capsys.readouterr().err
    assert "imported 60 answer(s)" in err and "imported 0 answer(s)" in err and "60 already here" in err


def _valid_line(store, bank):
    _history(store, bank, n=1)
    return next(statements(store, bank))


@pytest.mark.parametrize("case", ["malformed", "verb", "unknown-question", "escape-name", "bad-option", "huge", "long-line"])
def test_hostile_statements_give_one_line_each_and_change_nothing(case, banked, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "src"))
    with Store() as src:
        good = _valid_line(src, banked)
    path = tmp_path / "hostile.jsonl"
    if case == "malformed":
        path.write_text('{"id": \n', encoding="utf-8")
    elif case == "verb":
        path.write_text(json.dumps({**good, "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"}}) + "\n")
    elif case == "unknown-question":
        path.write_text(json.dumps({**good, "object": {**good["object"], "id": "urn:tutor:question:no-such-q"}}) + "\n")
    elif case == "escape-name":
        bad = {**good, "actor": {"objectType": "Agent", "account": {"homePage": "urn:tutor", "name": "\x1b]0;pwned\x07\x1b[2J"}}}
        path.write_text(json.dumps(bad) + "\n")
    elif case == "bad-option":
        path.write_text(json.dumps({**good, "result": {**good["result"], "response": "Z"}}) + "\n")
    elif case == "huge":
        with open(path, "wb") as f:
            f.truncate(100 * 10**6)  # 100 MB (sparse)
    else:
        path.write_text('{"x": "' + "a" * (2 << 20) + '"}\n' + "\n")
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "dst"))
    assert main(["progress", "import", "--xapi", str(path)]) == 1
    err = capsys.readouterr().err
    problems = [line for line in err.splitlines() if line.startswith(str(path))]
    assert len(problems) == 1, err
    assert "\x1b" not in err and "\x07" not in err
    with Store() as dst:
        assert dst.attempts() == [] and dst.cards() == {} and dst.setting("pseudonym") is None


def test_a_pseudonym_is_chosen_or_random_never_the_login(store, capsys):
    import getpass

    assert main(["progress", "pseudonym"]) == 0
    name = capsys.readouterr().out.strip()
    assert name.startswith("learner-") and getpass.getuser() not in name
    assert main(["progress", "pseudonym", "blue-heron"]) == 0
    assert main(["progress", "pseudonym", "\x1b[31m"]) == 1


def test_the_json_an_lrs_returns_imports_too(banked, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "a"))
    with Store() as a:
        _history(a, banked, n=8)
        page = {"statements": [dict(s, stored="2026-12-01T00:00:00+00:00") for s in statements(a, banked)], "more": ""}
    (tmp_path / "page.json").write_text(json.dumps(page, indent=2))
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "b"))
    assert main(["progress", "import", "--xapi", str(tmp_path / "page.json")]) == 0
    with Store() as b:
        assert len(b.attempts()) == 8
