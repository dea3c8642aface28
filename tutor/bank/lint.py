"""`tutor questions lint`: the cues that let a test-taker answer without knowing the subject.

The checks follow the item-writing guidelines (Haladyna, Downing & Rodriguez 2002): a key that is much
the longest option, absolutes ("always") only in distractors and hedges ("usually") only in keys, "all
of the above", text a learner cannot use ("the notes say"), and Korean that is missing or uses a term
the glossary says to avoid. They are per-question *findings* (warnings: a single item may have a reason)
and per-bank *checks* with thresholds (a pattern across the bank is a give-away, so missing one fails):

* key strictly longest in at most 25 % of single and multiple-answer questions;
* key position in file order, per option count k with at least 10 single-answer questions: every
  position's share within 1/k ± 15 points (4 options: 10-40 %);
* true/false keys 40-60 % true (with at least 5 true/false questions);
* multiple-answer key counts vary: both 2 and 3 keys present (with at least 4 such questions);
* surface features (`cues.py`: reason clauses, ";"/":" splits, parentheses, numbers, hedges, absolutes,
  words from the stem, the longest and the shortest text): among the single-answer items in which exactly
  one option is odd on a feature, that option is the key in at most 45 % (per language, judged with 10
  or more such items); per question, a warning when the keys alone carry a feature or alone lack it;
* every distractor names a misconception (none may lack one); catalogue entries no distractor names are
  reported;
* the share of questions with Korean is reported, not judged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

from tutor.bank import cues
from tutor.bank.cues import ABSOLUTES_EN, ABSOLUTES_KO, FEATURES, WORD, Feature
from tutor.bank.loader import Bank
from tutor.bank.schema import LANGUAGES, Misconception, Question, Term
from tutor.bank.textrules import HANGUL, glossary_findings, hidden_reference_findings, mistranslation_findings

LONGEST_FACTOR = 1.5  # a key at least this many times the longest distractor is "much the longest"
MAX_KEY_LONGEST = 0.25  # share of single/multiple questions whose key is strictly the longest option
POSITION_BAND = 0.15  # each key position within 1/k +- this, in file order
POSITION_MIN_QUESTIONS = 10  # per option count, below this the position shares are only reported
TRUE_SHARE = (0.40, 0.60)
TRUE_FALSE_MIN_QUESTIONS = 5
MULTIPLE_MIN_QUESTIONS = 4
MAX_ASSERTS = 200  # characters: a lab page shows `asserts:` as one line

ABOVE = re.compile(r"\b(all|none|both|neither) of (the )?(above|these|them)\b|모두 정답|위의 모든|위의 것 모두|모두 맞|모두 틀", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    where: str  # "file:line" of the question
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    limit: str
    ok: bool | None  # None: reported, not judged (too few questions, or no threshold)


@dataclass
class LintReport:
    questions: int
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.ok is False for c in self.checks)


def _words(value: str) -> set[str]:
    return set(WORD.findall(value.lower()))


def _cues(value: str, english: set[str], korean: tuple[str, ...]) -> list[str]:
    found = sorted(_words(value) & english)
    return found + [k for k in korean if k in value]


def learner_texts(q: Question, lang: str) -> Iterator[str]:
    """Everything a learner reads in `lang` (when written in it)."""
    fields = [q.stem, q.explanation, *[o.text for o in q.options], *[o.why for o in q.options], q.asserts or {}]
    yield from (f[lang] for f in fields if lang in f)


def _pct(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.0f} %)" if whole else "none"


# -- per question ---------------------------------------------------------------------------------


def key_is_longest(q: Question) -> bool:
    """The longest keyed option (English) is strictly longer than every distractor."""
    keys = [len(o.text["en"]) for o in q.options if o.key in q.answers]
    others = [len(o.text["en"]) for o in q.options if o.key not in q.answers]
    return bool(keys and others) and max(keys) > max(others)


def question_findings(q: Question, glossary: list[Term], ids: Collection[str] = ()) -> Iterator[str]:
    """The warnings for one question; `ids` are the bank's question ids (none may be shown to the learner)."""
    if q.type in ("single", "multiple"):
        yield from _length_and_cue_findings(q)
    elif q.type == "true_false":
        absolutes = _cues(q.stem["en"], ABSOLUTES_EN, ()) + [k for k in ABSOLUTES_KO if k in q.stem.get("ko", "")]
        if "F" in q.answers and absolutes:
            yield f"a false statement carrying an absolute ({', '.join(absolutes)}): make it false for a reason worth learning"
    for o in q.options:
        if ABOVE.search(o.text["en"]) or ABOVE.search(o.text.get("ko", "")):
            yield f"option {o.key} is an 'all/none of the above' option: write a real alternative"
    if q.lab is not None and q.asserts is None:
        yield f"linked to lab '{q.lab.id}' but has no `asserts:`: the lab page shows the stem's first sentence as its claim instead"
    for lang, value in (q.asserts or {}).items():
        if "\n" in value or len(value) > MAX_ASSERTS:
            yield f"'asserts' ({lang}) is one line of at most {MAX_ASSERTS} characters: the question's central claim, not its explanation"
            break
    texts = [value for lang in LANGUAGES for value in learner_texts(q, lang)]
    yield from hidden_reference_findings(texts, ids)
    yield from _korean_findings(q, glossary)
    unnamed = distractors_without_misconception(q)
    if unnamed:
        yield (f"option{'s' if len(unnamed) > 1 else ''} {', '.join(unnamed)} name{'' if len(unnamed) > 1 else 's'} no misconception: "
               "add `misconception: ID` for the wrong belief each stands for (from questions/misconceptions.yaml)")


def distractors_without_misconception(q: Question) -> list[str]:
    return [o.key for o in q.options if o.key not in q.answers and o.misconception is None]


def _length_and_cue_findings(q: Question) -> Iterator[str]:
    keys = [o for o in q.options if o.key in q.answers]
    others = [o for o in q.options if o.key not in q.answers]
    if not keys or not others:
        return
    key_len = max(len(o.text["en"]) for o in keys)
    other_len = max(len(o.text["en"]) for o in others)
    if key_is_longest(q) and key_len >= LONGEST_FACTOR * other_len:
        yield f"the key is much the longest option ({key_len} characters vs at most {other_len}): shorten it or lengthen the distractors"
    short_key, short_other = min(len(o.text["en"]) for o in keys), min(len(o.text["en"]) for o in others)
    if len(q.options) >= cues.MIN_OPTIONS and short_key * LONGEST_FACTOR <= short_other:
        yield f"the key is much the shortest option ({short_key} characters vs at least {short_other}): a test-wise learner notices the odd one out"
    absolutes = _one_sided(others, keys, ABSOLUTES_EN, ABSOLUTES_KO)
    if absolutes:
        yield f"absolutes only in distractors ({', '.join(absolutes)}): a test-wise learner rules those out"
    yield from _odd_key_findings(q)


def _odd_key_findings(q: Question) -> Iterator[str]:
    """One warning per feature on which the keys, and only they, stand apart (in any language)."""
    plural = len(q.answers) > 1
    for feature in FEATURES:
        for carries in (True, False):
            message = feature.with_message if carries else feature.without_message
            if message is None:
                continue
            found = [odd for lang in LANGUAGES if (odd := cues.key_is_odd(q, feature, lang)) and odd.carries == carries]
            if not found:
                continue
            words = ", ".join(dict.fromkeys(c if c[0].isalnum() else f"'{c}'" for odd in found for c in odd.cues))
            if message:
                yield message.format(cues=words)
                continue
            who = "the keys are the only options" if plural else "the key is the only option"
            yield (f"{who} {'with' if carries else 'without'} {feature.name} ({words}): a test-wise learner picks the odd one out; "
                   f"give distractors the same form, or drop it from the key")


def _one_sided(side: list, other_side: list, english: set[str], korean: tuple[str, ...]) -> list[str]:
    """The cue words found in `side`'s option texts, per language, when `other_side` has none in that language."""
    found: list[str] = []
    for lang, words, ko in (("en", english, ()), ("ko", set(), korean)):
        here = {c for o in side for c in _cues(o.text.get(lang, ""), words, ko)}
        there = {c for o in other_side for c in _cues(o.text.get(lang, ""), words, ko)}
        if here and not there:
            found += sorted(here)
    return found


def _korean_findings(q: Question, glossary: list[Term]) -> Iterator[str]:
    if "ko" not in q.stem:
        return
    fields = [("the stem", q.stem), ("the explanation", q.explanation)]
    fields += [(f"option {o.key}", o.text) for o in q.options] + [(f"option {o.key}'s why", o.why) for o in q.options]
    for name, value in fields:
        ko, en = value.get("ko", ""), value["en"]
        if not HANGUL.search(ko) and len(en.split()) >= 4:  # short names (SAM, CutMix) stay as they are
            yield f"{name} is marked Korean but is not translated"
            break
    yield from glossary_findings(learner_texts(q, "ko"), glossary)
    yield from mistranslation_findings(learner_pairs(q), glossary)


def learner_pairs(q: Question) -> Iterator[tuple[str, str]]:
    """Each text a learner reads in both languages, as (English, Korean)."""
    fields = [q.stem, q.explanation, *[o.text for o in q.options], *[o.why for o in q.options], q.asserts or {}]
    yield from ((f["en"], f["ko"]) for f in fields if "en" in f and "ko" in f)


# -- per bank -------------------------------------------------------------------------------------


def bank_checks(questions: list[Question]) -> list[Check]:
    checks: list[Check] = []
    choice = [q for q in questions if q.type in ("single", "multiple")]
    longest = sum(key_is_longest(q) for q in choice)
    checks.append(
        Check(
            "key strictly the longest option",
            _pct(longest, len(choice)),
            f"<= {MAX_KEY_LONGEST:.0%}",
            None if not choice else longest <= MAX_KEY_LONGEST * len(choice),
        )
    )
    single = [q for q in questions if q.type == "single"]
    checks += _position_checks(single)
    tf = [q for q in questions if q.type == "true_false"]
    true = sum("T" in q.answers for q in tf)
    low, high = TRUE_SHARE
    judged = len(tf) >= TRUE_FALSE_MIN_QUESTIONS
    checks.append(Check("true/false keys that are true", _pct(true, len(tf)), f"{low:.0%}-{high:.0%}", (low <= true / len(tf) <= high) if judged else None))
    multi = [q for q in questions if q.type == "multiple"]
    counts = Counter(len(q.answers) for q in multi)
    value = ", ".join(f"{n} keys: {c}" for n, c in sorted(counts.items())) or "none"
    judged = len(multi) >= MULTIPLE_MIN_QUESTIONS
    checks.append(Check("multiple-answer key counts", value, "both 2 and 3", (2 in counts and 3 in counts) if judged else None))
    checks += [_odd_check(feature, single) for feature in FEATURES]
    korean = sum("ko" in q.stem for q in questions)
    checks.append(Check("questions with Korean", _pct(korean, len(questions)), "reported", None))
    distractors = sum(len(q.options) - len(q.answers) for q in questions)
    unnamed = sum(len(distractors_without_misconception(q)) for q in questions)
    checks.append(Check("distractors without a misconception", _pct(unnamed, distractors), "0", unnamed == 0 if distractors else None))
    return checks


def odd_key_tallies(feature: Feature, single: list[Question]) -> dict[str, cues.Tally]:
    """Per language with any such item: how often the one odd option on `feature` is the key."""
    tallies = {lang: cues.tally(feature, single, lang) for lang in LANGUAGES}
    return {lang: t for lang, t in tallies.items() if t.items}


def _odd_check(feature: Feature, single: list[Question]) -> Check:
    tallies = odd_key_tallies(feature, single)
    judged = {lang: t for lang, t in tallies.items() if t.items >= cues.ODD_MIN_ITEMS}
    rare = {lang for lang, t in judged.items() if t.p_this_rare() < cues.RARE_P}
    # One decimal: "45 %" must not hide a 45.5 % that fails.
    value = ", ".join(
        f"{lang} {t.key_odd} of {t.items} ({100 * t.share:.1f} %{', too rare' if lang in rare else ''})" for lang, t in tallies.items()
    ) or "no such items"
    ok = (not rare and all(t.share <= cues.MAX_ODD_KEY_SHARE for t in judged.values())) if judged else None
    return Check(f"key the odd one out: {feature.name}", value, f"<= {cues.MAX_ODD_KEY_SHARE:.0%}, not rare", ok)


def rare_odd_features(single: list[Question]) -> list[tuple[Feature, str]]:
    """The (feature, language) pairs on which the one odd option is the key too rarely for chance."""
    return [
        (feature, lang)
        for feature in FEATURES
        for lang, t in odd_key_tallies(feature, single).items()
        if t.items >= cues.ODD_MIN_ITEMS and t.p_this_rare() < cues.RARE_P
    ]


def _rare_odd_findings(q: Question, rare: list[tuple[Feature, str]]) -> Iterator[str]:
    """Where the bank's keys are almost never the odd option on a feature, the items whose odd option is a
    distractor: the places to let a key be the odd one instead (one line per feature)."""
    if q.type != "single":
        return
    for feature in dict.fromkeys(f for f, _ in rare):
        odd = next((o for f, lang in rare if f is feature and (o := cues.lone_odd(q, feature, lang)) and q.answer not in o.options), None)
        if odd:
            yield (f"option {next(iter(odd.options))} is the only one {'with' if odd.carries else 'without'} {feature.name}, "
                   "and across the bank such an option is almost never the key: a guesser rules it out; let some keys be the odd one")


def _position_checks(single: list[Question]) -> list[Check]:
    """Key position in file order, per option count (the app shuffles, but the file should not tell)."""
    checks = []
    by_size: dict[int, list[int]] = {}
    for q in single:
        by_size.setdefault(len(q.options), []).append([o.key for o in q.options].index(q.answer))
    for size, positions in sorted(by_size.items()):
        counts = Counter(positions)
        n = len(positions)
        shares = [counts.get(i, 0) / n for i in range(size)]
        low, high = max(0.0, 1 / size - POSITION_BAND), 1 / size + POSITION_BAND
        value = " ".join(f"{chr(65 + i)} {s:.0%}" for i, s in enumerate(shares))
        ok = all(low <= s <= high for s in shares) if n >= POSITION_MIN_QUESTIONS else None
        checks.append(Check(f"key position, {size} options ({n} single)", value, f"each {low:.0%}-{high:.0%}", ok))
    return checks


def lint(bank: Bank, ids: Iterable[str] | None = None, misconceptions: Iterable[str] | None = None) -> LintReport:
    """Lint the questions `ids` of `bank` (default: all), in file order, and the catalogue entries
    `misconceptions` (default: all when linting all questions, else none): an entry is used when any
    distractor of the whole bank names it, since an instructor's bank may name the shipped entries."""
    chosen = list(bank.questions) if ids is None else [i for i in ids if i in bank.questions]
    questions = [bank.questions[i] for i in chosen]
    report = LintReport(questions=len(questions))
    rare = rare_odd_features([q for q in questions if q.type == "single"])
    for q in questions:
        messages = [*question_findings(q, bank.glossary, bank.questions.keys()), *_rare_odd_findings(q, rare)]
        report.findings += [Finding(bank.origin[q.id], message) for message in messages]
    report.checks = bank_checks(questions)
    audited = list(bank.misconceptions.entries) if misconceptions is None and ids is None else list(misconceptions or [])
    findings, checks = _catalogue_lint(bank, [m for m in audited if m in bank.misconceptions])
    report.findings += findings
    report.checks += checks
    return report


def _catalogue_lint(bank: Bank, audited: list[str]) -> tuple[list[Finding], list[Check]]:
    """The catalogue entries `audited`: each one's text, whether a distractor names it, how many share one."""
    if not audited:
        return [], []
    unused = set(unused_misconceptions(bank, audited))
    findings = []
    for m in audited:
        messages = list(misconception_findings(bank.misconceptions.entries[m], bank.glossary, bank.questions.keys()))
        if m in unused:
            messages.append(f"misconception '{m}' is named by no distractor: name it, or drop the entry")
        findings += [Finding(bank.misconceptions.origin[m], message) for message in messages]
    named = Counter(o.misconception for q in bank.questions.values() for o in q.options if o.misconception)
    shared = sum(named[m] >= 2 for m in audited)
    return findings, [
        Check("misconceptions named by no distractor", _pct(len(unused), len(audited)), "reported", None),
        Check("misconceptions shared by 2+ distractors", _pct(shared, len(audited)), "reported", None),
    ]


def misconception_findings(entry: Misconception, glossary: list[Term], ids: Collection[str]) -> Iterator[str]:
    """A catalogue entry is shown to learners (the tutor names the belief it sees): the questions' text rules."""
    if not HANGUL.search(entry.text.get("ko", "")):
        yield f"misconception '{entry.id}' is marked Korean but is not translated"
    yield from hidden_reference_findings(list(entry.text.values()), ids)
    yield from glossary_findings([entry.text.get("ko", "")], glossary)
    if "en" in entry.text and "ko" in entry.text:
        yield from mistranslation_findings([(entry.text["en"], entry.text["ko"])], glossary)


def unused_misconceptions(bank: Bank, audited: list[str]) -> list[str]:
    named = {o.misconception for q in bank.questions.values() for o in q.options}
    return [m for m in audited if m in bank.misconceptions and m not in named]


def render(report: LintReport, name: str) -> str:
    """The bank summary: one line per check, `ok`, `FAIL` or `-` (reported only)."""
    rows = [(c.name, c.value, c.limit, "-" if c.ok is None else "ok" if c.ok else "FAIL") for c in report.checks]
    rows.insert(0, ("questions", str(report.questions), "", ""))
    rows.append(("per-question findings (warnings)", str(len(report.findings)), "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"bank {name}"]
    lines += [f"  {a:<{widths[0]}}  {b:<{widths[1]}}  {c:<{widths[2]}}  {d}".rstrip() for a, b, c, d in rows]
    return "\n".join(lines)
