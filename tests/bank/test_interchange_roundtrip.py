"""The whole shipped bank exports to every format, and GIFT and Moodle XML come back unchanged.

Generic over whatever load_bank() returns, so the test follows the bank as it is rewritten.
"""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from tutor import paths
from tutor.bank import load_bank, text
from tutor.bank.interchange import anki
from tutor.bank.interchange.commands import export, import_files, ordered


@pytest.fixture(scope="module")
def bank():
    bank = load_bank([paths.questions_dir()])
    assert not bank.problems, bank.problems[:3]
    assert len(bank) > 0
    return bank


def _shape(q, lang: str, shuffle: bool) -> dict:
    # Moodle labels true/false options itself, so their texts travel as the English True/False.
    label = "en" if q.type == "true_false" else lang
    return {
        "id": q.id, "topic": q.topic, "type": q.type, "stem": text(q.stem, lang),
        "options": [(o.key, text(o.text, label), text(o.why, lang)) for o in q.options],
        "answers": sorted(q.answers), "explanation": text(q.explanation, lang), "concepts": list(q.concepts),
        "shuffle": q.shuffle if shuffle else None,
    }


@pytest.mark.parametrize(("fmt", "suffix", "lang"), [("gift", ".gift", "en"), ("moodle-xml", ".xml", "en"), ("gift", ".gift", "ko"), ("moodle-xml", ".xml", "ko")])
def test_round_trip_is_exact(bank, tmp_path, fmt, suffix, lang, capsys):
    exported = tmp_path / f"bank{suffix}"
    assert export([], fmt, exported, lang) == 0
    out = tmp_path / "imported"
    assert import_files([exported], out) == 0
    back = load_bank([out])
    assert not back.problems, back.problems[:3]
    assert not (out / "topics.yaml").exists()  # every category named a shipped topic
    carries_shuffle = fmt == "moodle-xml"
    original = [_shape(q, lang, carries_shuffle) for q in ordered(bank)]
    returned = [_shape(q, "en", carries_shuffle) for q in back.questions.values()]
    assert returned == original
    report = capsys.readouterr().out
    assert report.count("imported '") == len(bank)


def test_anki_package_has_one_note_per_question_and_stable_guids(bank, tmp_path):
    import genanki

    def notes(path: Path) -> dict[str, tuple[str, str]]:
        with zipfile.ZipFile(path) as z:
            assert "collection.anki2" in z.namelist()
            db = tmp_path / f"{path.stem}.anki2"
            db.write_bytes(z.read("collection.anki2"))
        with sqlite3.connect(db) as conn:
            rows = conn.execute("select guid, flds, tags from notes").fetchall()
        return {flds.split("\x1f")[0]: (guid, tags) for guid, flds, tags in rows}

    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    anki.write(first, ordered(bank), bank.topics, "both")
    anki.write(second, ordered(bank), bank.topics, "ko")
    a, b = notes(first), notes(second)
    assert set(a) == set(bank.questions)
    assert {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}
    assert all(guid == genanki.guid_for(qid) for qid, (guid, _) in a.items())
    some = next(q for q in bank.questions.values() if q.concepts)
    assert some.concepts[0] in a[some.id][1].split()


def test_every_format_exports_the_shipped_bank(bank, tmp_path, capsys):
    for fmt in ("gift", "moodle-xml", "aiken", "anki"):
        out = tmp_path / f"bank.{fmt}"
        assert export([], fmt, out, None) == 0
        assert out.stat().st_size > 0
    aiken_text = (tmp_path / "bank.aiken").read_text()
    singles = sum(q.type != "multiple" for q in bank.questions.values())
    assert aiken_text.count("\nANSWER: ") + aiken_text.startswith("ANSWER: ") == singles
    left = capsys.readouterr().out
    assert left.count("not exported") == len(bank) - singles
    assert import_files([tmp_path / "bank.aiken"], tmp_path / "from-aiken", topic="fitting", fmt="aiken", say=lambda _: None) == 0
    assert len(load_bank([tmp_path / "from-aiken"]).questions) == singles


def test_anki_has_one_deck_per_topic(bank, tmp_path):
    path = tmp_path / "t.apkg"
    anki.write(path, ordered(bank), bank.topics, "en")
    with zipfile.ZipFile(path) as z:
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as conn:
        decks = {row[0] for row in conn.execute("select distinct did from cards")}
    assert len(decks) == len({q.topic for q in bank.questions.values()})


def test_interchange_is_torch_and_textual_free(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from tutor.bank.interchange import commands, anki, gift, moodle_xml, aiken; "
        f"commands.export([], 'gift', Path({str(tmp_path / 'x.gift')!r}), 'en', say=lambda _: None); "
        "print(','.join(m for m in ('torch', 'torchvision', 'matplotlib', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
