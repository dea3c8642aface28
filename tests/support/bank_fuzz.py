"""Generated bank files for the fuzz test (tests/test_hardening_fuzz.py) and its long run
(benchmarks/fuzz_bank.py): YAML-ish text and question-shaped structures, and the check every one must
pass: the loader answers with problems (one clean line each) or questions, never an exception or a hang."""

from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import yaml
from hypothesis import strategies as st

from tutor.bank import load_bank
from tutor.bank.labrefs import LabRef
from tutor.bank.lint import lint
from tutor.bank.loader import INTERNAL

LABS = {"underfitting": LabRef("underfitting", {"en": "Underfitting"}, {}, frozenset({"baseline", "dropout"}))}
TOPICS = "topics:\n  - id: fitting\n    title: Fitting\n"
CATALOGUE = "misconceptions:\n  - id: dropout-fixes-underfitting\n    text: {en: Dropout cures bias., ko: 드롭아웃이 편향을 고친다.}\n"
FIELDS = ["id", "topic", "type", "difficulty", "stem", "options", "answer", "explanation", "concepts", "tags",
          "source", "lab", "shuffle", "key", "text", "why", "en", "ko", "params", "arms", "seeds", "profile",
          "questions", "topics", "terms", "title", "summary", "str", "a[b]", "misconception", "misconceptions", "asserts"]
TOKENS = ["questions:", "topics:", "\n", "  ", "- ", ": ", "&a ", "*a", "[", "]", "{", "}", ",", "'", '"', "\\e", "\\x1b",
          "!!python/object ", "!!binary ", "<<: ", "? ", "|", ">", "#", "---", "...", "%YAML 1.1", "9" * 5000, "1e999",
          ".nan", "~", "true", "id", "answer", "options", "key", "A", "\t", "\x1b", "\x00", "é", "한"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**4000, max_value=10**4400), st.floats(),
    st.text(max_size=30), st.sampled_from(["A", "B", "T", "F", "fitting", "underfitting", "baseline", "single", "multiple"]),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)), max_leaves=25)
option = st.fixed_dictionaries({"key": st.sampled_from(["A", "B", "C", "T", "F"]), "text": values, "why": values}, optional={
    "misconception": st.one_of(st.sampled_from(["dropout-fixes-underfitting", "nope", "Bad Id"]), values)})
lab = st.one_of(values, st.fixed_dictionaries({
    "id": st.sampled_from(["underfitting", "nope"]),
    "params": st.fixed_dictionaries({}, optional={
        "arms": st.one_of(values, st.lists(values, min_size=1, max_size=3)), "seeds": values, "profile": values, "epochs": values})}))
VALID = {"id": "q-1", "topic": "fitting", "stem": "Why?", "answer": "A", "explanation": "Because.",
         "options": [{"key": "A", "text": "Yes", "why": "Right."}, {"key": "B", "text": "No", "why": "Wrong."}]}
_FIELD_VALUES = {"lab": lab, "options": st.one_of(st.lists(option, max_size=4), values)}
_one_override = st.one_of([
    st.fixed_dictionaries({name: _FIELD_VALUES.get(name, values)})
    for name in [*VALID, "type", "lab", "lab", "lab", "shuffle", "concepts", "tags", "source", "difficulty", "str", "a[b]", "asserts"]
])
overrides = st.lists(_one_override, max_size=2).map(lambda ds: {k: v for d in ds for k, v in d.items()})
question = st.one_of(overrides.map(lambda o: {**VALID, **o}), overrides.map(lambda o: {**VALID, "lab": {"id": "underfitting"}, **o}))
question_files = st.fixed_dictionaries({"questions": st.lists(question, min_size=1, max_size=3)})
misconception_files = st.fixed_dictionaries({"misconceptions": st.one_of(values, st.lists(st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["dropout-fixes-underfitting", "other-belief"]), values), "text": values},
    optional={"lab": st.one_of(st.sampled_from(["underfitting", "nope"]), values)}), max_size=3))})
structures = st.one_of(
    question_files,
    misconception_files,
    st.dictionaries(keys, values, max_size=4),
    values,
)


def _dump(data: object) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        return "questions: []\n"


yaml_texts = st.one_of(
    question_files.map(_dump),  # mostly valid questions with a few fields replaced: reach the deep checks
    question_files.map(_dump),
    structures.map(_dump),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
    st.text(max_size=200),
    st.tuples(structures.map(_dump), st.integers(0, 400), st.lists(st.sampled_from(TOKENS), max_size=4).map("".join)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:]),
)


@contextmanager
def hang_guard(seconds: int = 10):
    """Fail an example that takes `seconds` (a hang), rather than waiting forever."""
    def alarm(*_):
        raise TimeoutError(f"the loader took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check(text: str) -> None:
    """Load `text` as one bank file beside a topics file; every outcome must be clean."""
    with tempfile.TemporaryDirectory() as tmp, hang_guard():
        folder = Path(tmp)
        (folder / "topics.yaml").write_text(TOPICS, encoding="utf-8")
        (folder / "misconceptions.yaml").write_text(CATALOGUE, encoding="utf-8")
        (folder / "fuzz.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
        bank = load_bank([folder], labs=LABS)
        findings = lint(bank).findings  # the lint reads whatever the loader let through
    for problem in bank.problems:
        line = str(problem)
        assert INTERNAL not in problem.message, line
        assert "\n" not in line and "\x1b" not in line and "\x00" not in line, line
        assert len(line) < 2000, line
    assert all(isinstance(f.message, str) for f in findings)
