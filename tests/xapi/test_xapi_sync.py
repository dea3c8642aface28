"""`tutor sync` against a real Ralph LRS on loopback: every statement delivered exactly once, across an
interrupted sync and an LRS that goes away; a refusing LRS gives one clean line and loses nothing; the
password never reaches the terminal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from support.lrs import PASSWORD, USER

from tutor.cli import main
from tutor.study.store import Store, answer_record


T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def creds(monkeypatch, tiny_bank, tmp_path):
    monkeypatch.setenv("TUTOR_LRS_USER", USER)
    monkeypatch.setenv("TUTOR_LRS_PASSWORD", PASSWORD)
    monkeypatch.setenv("TUTOR_BANKS", str(tmp_path / "bank"))
    return tiny_bank


def _answers(n: int, start: int = 0, learner_q=("beta-tf", "beta-single", "alpha-multi")) -> None:
    with Store() as store:
        for i in range(start, start + n):
            q = learner_q[i % len(learner_q)]
            chosen = {"beta-tf": ["T"], "beta-single": ["C"], "alpha-multi": ["A", "C"]}[q]
            store.add(answer_record(q, chosen, True, mode="practice", now=T0 + timedelta(minutes=i), seconds=5.0))


def _ids(lrs, name: str) -> list[str]:
    return [s["id"] for s in lrs.stored() if s["actor"]["account"]["name"] == name]


def _me() -> str:
    from tutor.xapi.learner import pseudonym

    with Store() as store:
        return pseudonym(store)


def test_sync_interrupted_then_resumed_delivers_every_statement_once(lrs, creds, monkeypatch, capsys):
    _answers(250)
    real = Store.acknowledge
    calls = {"n": 0}

    def killed_after_two_posts(self, endpoint, ids, now=None):
        calls["n"] += 1
        if calls["n"] == 2:  # the LRS holds batch 2, and the process dies before noting it
            raise KeyboardInterrupt
        return real(self, endpoint, ids, now)

    monkeypatch.setattr(Store, "acknowledge", killed_after_two_posts)
    assert main(["sync", "--lrs", lrs.url, "--batch", "100"]) == 130
    assert len(_ids(lrs, _me())) == 200
    monkeypatch.setattr(Store, "acknowledge", real)
    assert main(["sync", "--lrs", lrs.url, "--batch", "100"]) == 0  # batch 2 again (204 or filtered), then batch 3
    ids = _ids(lrs, _me())
    assert len(ids) == 250 == len(set(ids))
    assert main(["sync", "--lrs", lrs.url]) == 0
    assert "nothing new" in capsys.readouterr().err
    assert len(_ids(lrs, _me())) == 250


def test_an_unreachable_lrs_keeps_everything_queued_until_it_is_back(lrs, creds, capsys):
    _answers(30)
    lrs.stop()
    try:
        assert main(["sync", "--lrs", lrs.url, "--batch", "10"]) == 1
        err = capsys.readouterr().err
        assert "unreachable" in err and "30 answer(s) still queued" in err and len(err.strip().splitlines()) == 1
    finally:
        lrs.start()
    _answers(5, start=30)
    assert main(["sync", "--lrs", lrs.url, "--batch", "10"]) == 0
    ids = _ids(lrs, _me())
    assert len(ids) == 35 == len(set(ids))


def test_a_refusing_lrs_gives_one_clean_line_and_loses_nothing(lrs, creds, monkeypatch, capsys):
    _answers(12)
    monkeypatch.setenv("TUTOR_LRS_PASSWORD", "wrong-" + PASSWORD)
    assert main(["sync", "--lrs", lrs.url]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "refused the credentials (401" in err and "12 answer(s) still queued" in err
    assert PASSWORD not in err
    monkeypatch.setenv("TUTOR_LRS_PASSWORD", PASSWORD)
    assert main(["sync", "--lrs", lrs.url]) == 0
    assert len(_ids(lrs, _me())) == 12


def test_credentials_come_from_a_config_file_and_never_from_the_url(lrs, creds, monkeypatch, tmp_path, capsys):
    _answers(3)
    monkeypatch.delenv("TUTOR_LRS_USER")
    monkeypatch.delenv("TUTOR_LRS_PASSWORD")
    conf = tmp_path / "lrs.toml"
    conf.write_text(f'url = "{lrs.url}/xAPI/"\nusername = "{USER}"\npassword = "{PASSWORD}"\n')
    conf.chmod(0o600)
    monkeypatch.setenv("TUTOR_LRS_CONFIG", str(conf))
    assert main(["sync"]) == 0
    assert main(["sync", "--lrs", f"http://{USER}:{PASSWORD}@127.0.0.1:{lrs.port}"]) == 1
    err = capsys.readouterr().err
    assert PASSWORD not in err and "leave the user name and password out of the URL" in err


def test_the_lrs_answers_a_class_report_and_other_platforms_statements_are_one_line(lrs, creds, capsys):
    import json
    import uuid

    import requests

    _answers(6)
    assert main(["sync", "--lrs", lrs.url]) == 0
    other = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:someone@example.com"},
             "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"}, "object": {"id": "https://moodle.example/course/1"}}
    assert requests.post(lrs.url + "/xAPI/statements", json=[other], auth=(USER, PASSWORD), timeout=10).status_code == 200
    capsys.readouterr()
    assert main(["class", "report", "--lrs", lrs.url, "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert {i["question"] for i in data["items"]} >= {"beta-tf", "beta-single", "alpha-multi"}
    assert captured.err.strip().splitlines() == ["tutor class report: 1 statement(s) of other verbs (not tutor answers) left out"]


