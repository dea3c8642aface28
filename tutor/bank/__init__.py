"""The question bank: schema, loading with precise errors, validation. Imports neither torch nor Textual."""

from tutor.bank.loader import Bank, load_bank
from tutor.bank.schema import Question, Topic, text

__all__ = ["Bank", "Question", "Topic", "load_bank", "text"]
