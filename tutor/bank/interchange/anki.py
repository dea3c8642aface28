"""Anki decks with genanki: one note per question, one deck per topic, all in one .apkg.

Note GUIDs come from the question id (`genanki.guid_for`), and the model and deck ids are fixed numbers
derived from names, so importing a newer export into Anki updates the learner's cards (and keeps their
review history) instead of adding duplicates. The front shows the stem and the options; the back the
answer, every option's why and the explanation. `lang="both"` puts English and Korean on each card.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

from tutor.atomic import atomic_open
from tutor.bank.schema import Question, Topic, text

MODEL_NAME = "tutor question v1"  # a new name (and so a new model id) if the fields ever change
FIELDS = ["Id", "Topic", "Stem", "Options", "Answer", "Whys", "Explanation"]
_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; max-width: 46em; margin: auto; }
.options div { margin: .3em 0; } .right { color: #1a7f37; font-weight: bold; } .why { margin: .4em 0; }
.lang-ko { color: #555; margin-top: .3em; }"""
_FRONT = '<div class="topic">{{Topic}}</div><div class="stem">{{Stem}}</div><div class="options">{{Options}}</div>'
_BACK = '{{FrontSide}}<hr id="answer"><div class="answer">{{Answer}}</div><div class="whys">{{Whys}}</div><hr><div class="explanation">{{Explanation}}</div>'


def stable_id(name: str) -> int:
    """A deck or model id that never changes for the same name (Anki ids are 64-bit; keep them positive)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 12


def _html(value: str) -> str:
    return html.escape(value).replace("\n", "<br>")


def _local(value: dict[str, str], langs: tuple[str, ...]) -> str:
    """The field in the wanted language; with both, Korean under English when the question has it."""
    if len(langs) == 1:
        return f'<div class="lang-{langs[0]}">{_html(text(value, langs[0]))}</div>'
    return "".join(f'<div class="lang-{lang}">{_html(value[lang])}</div>' for lang in langs if lang in value)


def _fields(q: Question, topic: str, langs: tuple[str, ...]) -> list[str]:
    keys = [o.key for o in q.options]
    options = "".join(f"<div><b>{o.key}.</b> {_local(o.text, langs)}</div>" for o in q.options)
    answer = ", ".join(k for k in keys if k in q.answers)
    whys = "".join(
        f'<div class="why"><span class="{"right" if o.key in q.answers else "wrong"}">{o.key}.</span> {_local(o.why, langs)}</div>'
        for o in q.options
    )
    return [q.id, _html(topic), _local(q.stem, langs), options, f'<span class="right">{_html(answer)}</span>', whys, _local(q.explanation, langs)]


def _model():
    import genanki

    return genanki.Model(
        stable_id(MODEL_NAME), MODEL_NAME, fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Question", "qfmt": _FRONT, "afmt": _BACK}], css=_CSS, sort_field_index=0,
    )


def write(path: Path, questions: list[Question], topics: dict[str, Topic], lang: str = "both") -> int:
    """Write the .apkg; returns the number of notes."""
    import genanki

    langs = ("en", "ko") if lang == "both" else (lang,)
    model = _model()
    decks: dict[str, genanki.Deck] = {}
    title_lang = "ko" if lang == "ko" else "en"
    for q in questions:
        topic = topics.get(q.topic)
        title = text(topic.title, title_lang) if topic else q.topic
        if q.topic not in decks:
            decks[q.topic] = genanki.Deck(stable_id(f"tutor::{q.topic}"), f"tutor::{title}")
        tags = [f"topic::{q.topic}", *(c.replace(" ", "_") for c in q.concepts)]
        decks[q.topic].add_note(genanki.Note(model=model, fields=_fields(q, title, langs), guid=genanki.guid_for(q.id), tags=tags))
    _write_package(genanki.Package(list(decks.values())), path)
    return len(questions)


def _write_package(package, path: Path) -> None:
    """Package.write_to_file, but its temporary collection is removed afterwards (genanki leaves it in /tmp)
    and the .apkg appears atomically."""
    with tempfile.TemporaryDirectory(prefix="tutor-anki-") as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        now = time.time()
        package.write_to_db(conn.cursor(), now, itertools.count(int(now * 1000)))
        conn.commit()
        conn.close()
        with atomic_open(path, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(db, "collection.anki2")
            z.writestr("media", "{}")
