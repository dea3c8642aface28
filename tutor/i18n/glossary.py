"""Concept tags (a question's `concepts:`) in Korean, from the bank's glossary (questions/glossary.yaml).

The glossary is the one place that says which Korean word the learner meets for an idea, so the tags
read on the feedback screen come from its `concepts:` mapping, not from a table in the code; the bank's
validation checks that section's shape, and the tests check that every tag a shipped question uses is
there and that none uses a variant the glossary says to avoid. A glossary that cannot be read leaves
the tags as written (English), never an error on the learner's screen.
"""

from __future__ import annotations

import functools


@functools.cache
def concepts() -> dict[str, str]:
    """Concept tag -> Korean, as the shipped glossary gives them."""
    from tutor import paths, yamlsrc

    try:
        data = yamlsrc.load(paths.questions_dir() / "glossary.yaml").data
    except (yamlsrc.YamlError, OSError):
        return {}
    table = data.get("concepts") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        return {}
    return {str(k): v for k, v in table.items() if isinstance(v, str) and v.strip()}
