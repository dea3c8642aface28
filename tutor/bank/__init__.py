"""The question bank: schema, loading with precise errors, validation. Imports neither torch nor Textual.

`Bank`, `load_bank` and `text` come without pydantic (the quiz's first screen needs no more);
`Question` and `Topic`, the pydantic schema, are imported on first use.
"""

from typing import TYPE_CHECKING, Any

from tutor.bank.loader import Bank, load_bank
from tutor.bank.localtext import text

if TYPE_CHECKING:  # pragma: no cover
    from tutor.bank.schema import Question, Topic

__all__ = ["Bank", "Question", "Topic", "load_bank", "text"]


def __getattr__(name: str) -> Any:
    if name in ("Question", "Topic"):
        from tutor.bank import schema

        return getattr(schema, name)
    raise AttributeError(f"module 'tutor.bank' has no attribute {name!r}")
