"""The statement reader and checker on arbitrary input (hypothesis): any bytes give statements or problem lines,
any JSON gives an answer or one `Refused` sentence; never another exception, never a raw control character."""

from __future__ import annotations

import json
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.xapi.model import Refused, check
from tutor.xapi.reader import Item, Problem, read
from tutor.xapi.statements import Answer, to_statement

GOOD = to_statement(statement_id=str(uuid.uuid4()), learner="otter", question_id="q-one", chosen={"A"}, correct=False,
                    mode="review", answered_at=datetime(2026, 1, 2, tzinfo=timezone.utc), seconds=3.5,
                    shown=("B", "A"), first=True, misconceptions=["some-belief"])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _paths(data: dict, prefix=()):
    for key, value in data.items():
        yield prefix + (key,)
        if isinstance(value, dict):
            yield from _paths(value, prefix + (key,))


PATHS = list(_paths(GOOD))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_items_or_problems(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.jsonl"
        path.write_bytes(raw)
        for found in read(path, 1 << 20):
            assert isinstance(found, (Item, Problem))
            if isinstance(found, Problem):
                assert "\x1b" not in str(found) and "\n" not in str(found)
            else:
                _checked(found.data)


def _checked(data):
    try:
        assert isinstance(check(data), Answer)
    except Refused as exc:
        assert "\x1b" not in str(exc) and "\n" not in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), json_values)
def test_a_statement_with_any_part_replaced_is_an_answer_or_one_sentence(path, value):
    data = json.loads(json.dumps(GOOD))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    _checked(data)
