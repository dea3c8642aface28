"""Surface features of an option's text, and the option that is the odd one out on each.

A test-wise learner who knows nothing of the subject still scores above chance when the key differs from
the distractors by form: it alone gives a reason ("because ..."), alone is split by ";" or ":", alone
echoes the stem, alone is hedged, or is the longest. Rather than one rule per cue, every feature here is
a detector that says, for each option of a question in one language, which cue words it carries; the
lint then asks the same two questions of every feature:

* per question: do the keys alone carry the feature, or alone lack it? (a warning)
* per bank: among the single-answer items with 3 or more options in which exactly one option is odd on
  the feature (it alone carries it, or it alone lacks it: "its items"), how often is that option the
  key? With four options chance is 25 %; the lint fails a bank above `MAX_ODD_KEY_SHARE`, and one where
  the odd option is the key so rarely that chance would give so few less than once in a thousand banks
  (`RARE_P`): then a guesser gains by ruling the odd option out.

Features are judged per language (a Korean learner reads the Korean options), on the option texts only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from tutor.bank.schema import Question

MAX_ODD_KEY_SHARE = 0.45  # the key may be the odd one out in at most this share of a feature's items
RARE_P = 0.001  # ...and not so rarely that chance (1/k per item) would give so few with less than this probability
ODD_MIN_ITEMS = 10  # below this many items a feature's share is reported, not judged
MIN_OPTIONS = 3  # with two options "the odd one" is either of them

ABSOLUTES_EN = {"always", "never", "all", "none", "only", "must", "every", "cannot", "completely", "entirely", "guarantees", "guaranteed"}
HEDGES_EN = {"usually", "may", "often", "can", "might", "typically", "generally", "sometimes", "likely", "tends", "could", "mostly"}
ABSOLUTES_KO = ("항상", "절대", "반드시", "결코", "모든", "전혀", "오직")
HEDGES_KO = ("보통", "대개", "수 있", "흔히", "일반적으로", "경우가 많")

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
REASON_EN = re.compile(r"\b(because|since|so that|in order to|so as to|due to|as a result|therefore|hence|thus|which means|given that)\b", re.IGNORECASE)
REASON_KO = re.compile(r"때문|(?<=[가-힣])(?:으)?므로|(?<=[가-힣])니까|(?<=[가-힣])도록|위해|위하여|덕분|따라서|그래서|그러므로")
SPLIT = re.compile(r"(?<!\d)[;:](?!\d)")  # "3:1" is a ratio, not a split
PARENS = re.compile(r"[()（）]")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*\s?%?")
STOP_EN = frozenset({
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "by", "is", "are",
    "be", "been", "it", "its", "this", "that", "these", "those", "what", "which", "who", "should", "would", "will",
    "from", "at", "as", "not", "no", "more", "less", "than", "into", "each", "their", "there", "then", "when",
    "while", "they", "them", "you", "your", "can", "may", "one", "two",
})
STOP_KO = frozenset({
    "무엇", "어떤", "어느", "어떻", "하는", "한다", "해야", "하면", "하고", "있다", "있는", "없다", "없는", "이다", "이는",
    "것이", "것은", "그리", "다음", "가장", "모두", "또는", "이것", "그것", "아직", "다시", "매우", "너무", "더욱",
})
STOP_KO_WHOLE = frozenset({"이미"})  # "already" as a word; as a prefix it would also drop 이미지 (image)
PARTICLES_KO = ("으로", "에서", "에게", "까지", "부터", "보다", "처럼", "은", "는", "이", "가", "을", "를", "의", "에", "로", "와", "과", "도", "만")

Detector = Callable[[list[str], str, str], list[list[str]]]  # (option texts, stem, language) -> cue words per option


@dataclass(frozen=True)
class Feature:
    name: str  # "a reason clause": read as "the key is the only option with a reason clause"
    detect: Detector
    lacking: bool = True  # "the key alone lacks it" is a cue too (not for "the longest")
    # The per-question warnings: "" for the default, a text ({cues} filled in) to replace it, None where
    # another rule reports the case (the length rules warn only when the key is *much* the longest/shortest).
    with_message: str | None = ""  # the keys alone carry the feature
    without_message: str | None = ""  # the keys alone lack it


def _each(find: Callable[[str, str], list[str]]) -> Detector:
    return lambda texts, stem, lang: [find(t, lang) for t in texts]


def _pattern(en: re.Pattern, ko: re.Pattern | None = None) -> Detector:
    def find(value: str, lang: str) -> list[str]:
        pattern = ko if lang == "ko" and ko is not None else en
        return [m.group(0).strip().lower() for m in pattern.finditer(value)]

    return _each(find)


def _words(english: set[str], korean: tuple[str, ...]) -> Detector:
    def find(value: str, lang: str) -> list[str]:
        if lang == "ko":
            return [k for k in korean if k in value]
        return sorted(set(WORD.findall(value.lower())) & english)

    return _each(find)


def _content_words(value: str, lang: str) -> dict[str, str]:
    """Normalised content word -> the word as written (plural 's' and inflections folded, roughly)."""
    if lang == "ko":
        words = {}
        for written in HANGUL_WORD.findall(value):
            w = written
            for particle in PARTICLES_KO:
                if w.endswith(particle) and len(w) > len(particle) + 1:
                    w = w[: -len(particle)]
                    break
            if len(w) >= 2 and w[:2] not in STOP_KO and w not in STOP_KO_WHOLE:
                words.setdefault(w[:2], written)
        return words
    words = {}
    for w in WORD.findall(value.lower()):
        w = w.removesuffix("'s")  # a possessive echoes the word: "fear's" is "fear"
        if len(w) >= 4 and w not in STOP_EN:
            words.setdefault(_stem(w), w)
    return words


def _stem(word: str) -> str:
    """A rough English stem: one common ending dropped, then the first six letters (training/trained/train,
    images/image, features/feature)."""
    for ending in ("ing", "ed", "es", "s", "e"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    return word[:6]


def _shared_with_stem(texts: list[str], stem: str, lang: str) -> list[list[str]]:
    stem_words = _content_words(stem, lang)
    return [sorted(w for k, w in _content_words(t, lang).items() if k in stem_words) for t in texts]


def _extreme(pick: Callable[[list[int]], int], label: str) -> Detector:
    """The one option strictly longer (or shorter) than every other, in characters."""

    def detect(texts: list[str], stem: str, lang: str) -> list[list[str]]:
        lengths = [len(t) for t in texts]
        best = pick(lengths)
        winner = lengths.count(best) == 1
        return [[label] if winner and n == best else [] for n in lengths]

    return detect


FEATURES: tuple[Feature, ...] = (
    Feature("a reason clause", _pattern(REASON_EN, REASON_KO)),
    Feature("a ';' or ':' split", _pattern(SPLIT)),
    Feature("parentheses", _pattern(PARENS)),
    Feature("a number", _pattern(NUMBER)),
    Feature(
        "a hedge",
        _words(HEDGES_EN, HEDGES_KO),
        with_message="hedges only in the key ({cues}): a test-wise learner picks the qualified option",
    ),
    Feature("an absolute", _words(ABSOLUTES_EN, ABSOLUTES_KO), without_message=None),  # "absolutes only in distractors" covers it
    Feature("words from the stem", _shared_with_stem),
    Feature("the longest text", _extreme(max, "longest"), lacking=False, with_message=None),  # "much the longest" warns per question
    Feature("the shortest text", _extreme(min, "shortest"), lacking=False, with_message=None),
)


@dataclass(frozen=True)
class Odd:
    """The options that stand apart on one feature in one language."""

    options: frozenset[str]  # their keys
    carries: bool  # True: they alone carry the feature; False: they alone lack it
    cues: tuple[str, ...]  # the cue words (of the carriers)


def option_texts(q: Question, lang: str) -> list[str] | None:
    """Every option's text in `lang`, or None when some option is not written in it."""
    if any(lang not in o.text for o in q.options):
        return None
    return [o.text[lang] for o in q.options]


def odd_options(q: Question, feature: Feature, lang: str) -> list[Odd]:
    """The ways the options split on `feature`: the carriers (when some but not all carry it) and the lackers."""
    texts = option_texts(q, lang)
    if texts is None or len(texts) < MIN_OPTIONS:
        return []
    found = feature.detect(texts, q.stem.get(lang, q.stem["en"]), lang)
    carriers = frozenset(o.key for o, cues in zip(q.options, found) if cues)
    if not carriers or len(carriers) == len(texts):
        return []
    cues = tuple(dict.fromkeys(c for cs in found for c in cs))
    split = [Odd(carriers, True, cues)]
    if feature.lacking:
        split.append(Odd(frozenset(o.key for o in q.options) - carriers, False, cues))
    return split


def key_is_odd(q: Question, feature: Feature, lang: str) -> Odd | None:
    """The split in which the keys, and only they, stand apart (carry the feature alone, or lack it alone)."""
    return next((odd for odd in odd_options(q, feature, lang) if odd.options == q.answers), None)


def lone_odd(q: Question, feature: Feature, lang: str) -> Odd | None:
    """The split in which exactly one option stands apart on `feature` (it alone carries or lacks it)."""
    singles = [odd for odd in odd_options(q, feature, lang) if len(odd.options) == 1]
    return singles[0] if len(singles) == 1 else None


def odd_one_out(q: Question, feature: Feature, lang: str) -> str | None:
    """The key of the single option that stands apart on `feature` (for the bank share), if exactly one does."""
    odd = lone_odd(q, feature, lang)
    return next(iter(odd.options)) if odd else None


@dataclass(frozen=True)
class Tally:
    """One feature in one language over a bank's single-answer items."""

    key_odd: int  # items in which the one odd option is the key
    chances: tuple[float, ...]  # per item in which exactly one option is odd: 1/k, the chance it is the key

    @property
    def items(self) -> int:
        return len(self.chances)

    @property
    def share(self) -> float:
        return self.key_odd / self.items if self.items else 0.0

    def p_this_rare(self) -> float:
        """P(the key is the odd option in at most `key_odd` items) if keys were placed by chance: the
        Poisson-binomial lower tail, computed exactly (one dynamic-programming pass)."""
        dist = [1.0]
        for p in self.chances:
            dist = [a * (1 - p) + b * p for a, b in zip([*dist, 0.0], [0.0, *dist])]
        return min(1.0, sum(dist[: self.key_odd + 1]))


def tally(feature: Feature, single: list[Question], lang: str) -> Tally:
    odd = [(odd_one_out(q, feature, lang), q) for q in single]
    items = [(key, q) for key, q in odd if key is not None]
    return Tally(sum(key == q.answer for key, q in items), tuple(1 / len(q.options) for _, q in items))
