"""The lint's surface features: for each one, a bank whose key is the odd option out on it is flagged (per
question and per bank), and a bank where the odd option is the key only as often as chance passes."""

from __future__ import annotations

import json

import pytest

from tutor.bank import load_bank
from tutor.bank.cues import FEATURES, MAX_ODD_KEY_SHARE, Tally
from tutor.bank.lint import lint

STEM = {"en": "A clinic has few chest radiographs and one day. What should it do?", "ko": "병원에 흉부 방사선 사진이 적고 하루가 있다. 무엇을 해야 하는가?"}
KEY = {"en": "Freeze the backbone and fit a new head.", "ko": "백본을 동결하고 새 헤드를 맞춘다."}
DISTRACTORS = [
    {"en": "Retrain the whole network from scratch.", "ko": "신경망 전체를 처음부터 재훈련한다."},
    {"en": "Replace the head with a deeper one.", "ko": "헤드를 더 깊은 것으로 바꾼다."},
    {"en": "Lower the learning rate tenfold.", "ko": "학습률을 열 배 낮춘다."},
]


def _lower(t: str) -> str:
    return t[0].lower() + t[1:]


# feature name -> (how an option's text comes to carry it, the cue the warning names)
CARRY = {
    "a reason clause": (lambda t: {"en": t["en"][:-1] + " because data are scarce.", "ko": "데이터가 적기 때문에 " + t["ko"]}, "only option with a reason clause (because"),
    "a ';' or ':' split": (lambda t: {"en": "First: " + _lower(t["en"]), "ko": "먼저: " + t["ko"]}, "only option with a ';' or ':' split (':'"),
    "parentheses": (lambda t: {"en": t["en"][:-1] + " (as planned).", "ko": t["ko"][:-1] + " (계획대로)."}, "only option with parentheses ('('"),
    "a number": (lambda t: {"en": t["en"][:-1] + " for 30 epochs.", "ko": "30 에포크 동안 " + t["ko"]}, "only option with a number (30"),
    "a hedge": (lambda t: {"en": "Usually, " + _lower(t["en"]), "ko": "대개 " + t["ko"]}, "hedges only in the key (usually"),
    "an absolute": (lambda t: {"en": "Always " + _lower(t["en"]), "ko": "항상 " + t["ko"]}, "only option with an absolute (always"),
    "words from the stem": (lambda t: {"en": t["en"][:-1] + " for the radiographs.", "ko": "방사선 사진으로 " + t["ko"]}, "only option with words from the stem (radiographs"),
    "the longest text": (lambda t: {"en": t["en"][:-1] + " and then check the validation curves by hand once more before shipping.",
                                    "ko": t["ko"] + " 그리고 출시 전에 검증 곡선을 손으로 한 번 더 확인한다."}, "much the longest"),
    "the shortest text": (lambda t: {"en": "Stop now.", "ko": "멈춘다."}, "much the shortest"),
}


def _bank(tmp_path, feature: str, key_odd_every: int, distractors: list[dict] = DISTRACTORS, items: int = 12):
    """`items` single-answer items, the key at a rotating position; in every `key_odd_every`-th item (none
    when 0) the key alone carries the feature, in the others the first distractor does."""
    carry = CARRY[feature][0]
    questions = []
    for i in range(items):
        key_odd = bool(key_odd_every) and i % key_odd_every == 0
        texts = [carry(KEY) if key_odd else KEY, carry(distractors[0]) if not key_odd else distractors[0], *distractors[1:]]
        keys = "ABCD"
        order = texts[-(i % 4):] + texts[: -(i % 4)] if i % 4 else texts  # the key moves through A-D
        answer = keys[order.index(texts[0])]
        options = [{"key": k, "text": t, "why": {"en": "Why.", "ko": "이유."}} for k, t in zip(keys, order)]
        questions.append({"id": f"cue-{i}", "topic": "demo", "stem": STEM, "options": options, "answer": answer,
                          "explanation": {"en": "Because.", "ko": "왜냐하면."}})
    (tmp_path / "topics.yaml").write_text("topics:\n  - {id: demo, title: Demo}\n", encoding="utf-8")
    (tmp_path / "q.yaml").write_text("questions:\n" + "".join(f"  - {json.dumps(q, ensure_ascii=False)}\n" for q in questions), encoding="utf-8")
    bank = load_bank([tmp_path], labs={})
    assert not bank.problems, bank.problems[:3]
    return lint(bank)


def _row(report, feature: str):
    return next(c for c in report.checks if c.name == f"key the odd one out: {feature}")


def test_every_feature_has_a_biased_case():
    assert set(CARRY) == {f.name for f in FEATURES}


@pytest.mark.parametrize("feature", list(CARRY))
def test_a_bank_whose_key_is_the_odd_one_out_is_flagged(tmp_path, feature):
    report = _bank(tmp_path, feature, key_odd_every=1)
    row = _row(report, feature)
    assert row.ok is False and row.value == "en 12 of 12 (100.0 %), ko 12 of 12 (100.0 %)", row
    assert report.failed
    cue = CARRY[feature][1]
    warned = [f for f in report.findings if cue in f.message]
    assert len(warned) == 12, [f.message for f in report.findings][:5]


@pytest.mark.parametrize("feature", list(CARRY))
def test_a_bank_where_the_key_is_odd_as_often_as_chance_passes(tmp_path, feature):
    report = _bank(tmp_path, feature, key_odd_every=4)
    row = _row(report, feature)
    assert row.ok is True and row.value == "en 3 of 12 (25.0 %), ko 3 of 12 (25.0 %)", row
    assert 3 / 12 <= MAX_ODD_KEY_SHARE
    assert len([f for f in report.findings if CARRY[feature][1] in f.message]) == 3


def test_the_key_alone_lacking_a_feature_is_the_odd_one_out_too(tmp_path):
    """Three distractors give a reason, the key gives none: it stands out just the same."""
    carry = CARRY["a reason clause"][0]
    report = _bank(tmp_path, "parentheses", key_odd_every=1, distractors=[carry(d) for d in DISTRACTORS])
    assert _row(report, "a reason clause").value.startswith("en 12 of 12")
    assert any("the key is the only option without a reason clause (because" in f.message for f in report.findings)


def test_a_share_just_over_the_limit_reads_as_over_it(monkeypatch):
    """5 of 11 is 45.5 %: it fails, and the summary does not round it to an innocent-looking 45 %."""
    from tutor.bank import lint as lint_module

    tallies = {"en": Tally(5, (0.25,) * 11), "ko": Tally(4, (0.25,) * 11)}
    monkeypatch.setattr(lint_module, "odd_key_tallies", lambda feature, single: tallies)
    check = lint_module._odd_check(FEATURES[0], [])
    assert (check.value, check.ok) == ("en 5 of 11 (45.5 %), ko 4 of 11 (36.4 %)", False)


def test_a_key_that_is_never_the_odd_one_out_is_a_cue_too(tmp_path):
    """A bank that fixed "the key alone has a number" by giving numbers only to distractors: a guesser now
    rules out the one option with a number. 0 of 30 has chance 0.75^30 (0.02 %): flagged; 0 of 12 (3 %) is not."""
    assert Tally(0, (0.25,) * 30).p_this_rare() == pytest.approx(0.75**30)
    assert Tally(2, (0.25, 0.5, 1 / 3)).p_this_rare() == pytest.approx(1 - 0.25 * 0.5 / 3)
    report = _bank(tmp_path, "a number", key_odd_every=0, items=30)
    row = _row(report, "a number")
    assert (row.value, row.ok) == ("en 0 of 30 (0.0 %, too rare), ko 0 of 30 (0.0 %, too rare)", False)
    where = [f.message for f in report.findings if "with a number, and across the bank" in f.message]
    assert len(where) == 30 and where[0].startswith("option B is the only one with a number, and across the bank")
    report = _bank(tmp_path, "a number", key_odd_every=0, items=12)
    row = _row(report, "a number")
    assert (row.value, row.ok) == ("en 0 of 12 (0.0 %), ko 0 of 12 (0.0 %)", True)
    assert not [f for f in report.findings if "almost never the key" in f.message]


def test_stem_words_match_across_endings():
    from tutor.bank.cues import _content_words

    def shared(a: str, b: str) -> set[str]:
        return set(_content_words(a, "en")) & set(_content_words(b, "en"))

    assert shared("Train the model on images.", "The training image set") == {"train", "imag"}
    assert shared("Freeze the features.", "A frozen feature extractor") == {"featur"}
    assert shared("What should it do?", "Which would it choose?") == set()  # function words are not shared


def test_korean_stop_words_drop_the_word_not_every_word_it_starts():
    from tutor.bank.cues import _content_words

    assert "이미" not in _content_words("이미 훈련했다", "ko")  # "already" is a function word
    assert "이미" in _content_words("이미지를 늘린다", "ko")  # 이미지 (image) is a content word


def test_an_english_possessive_echoes_its_word():
    from tutor.bank.cues import _content_words

    assert set(_content_words("the fear class", "en")) & set(_content_words("fear's recall", "en")) == {"fear"}
