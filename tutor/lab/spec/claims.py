"""Claims: safe comparisons of arm metrics (the grammar; the verdict rule is tutor.lab.verdict.rule). Torch-free.

A claim is one comparison, e.g. ``finetune_more_data.val_acc > dropout.val_acc + 0.03``. Each side is a
small arithmetic expression over numbers and ``arm.metric`` references (``+ - * /``, parentheses, unary
minus). The grammar is parsed here by hand into a tiny tree; nothing in a lab file is ever evaluated as
Python.

The metrics a claim may name are `tutor.lab.spec.metrics.metric_help()` (the standard ones and those of each kind).

Limits (labs/README.md): a claim is at most MAX_CHARS characters and MAX_TOKENS tokens, and nests at most
MAX_DEPTH parentheses or unary minuses; beyond them it is one ClaimSyntaxError, never a RecursionError
(the tree is evaluated recursively, so its depth must stay far below Python's recursion limit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MAX_CHARS = 500  # the longest shipped claim is about 110 characters
MAX_TOKENS = 100  # bounds a left-deep chain `a.x + a.x + ...` as well
MAX_DEPTH = 20  # nested parentheses and unary minuses


class ClaimSyntaxError(ValueError):
    """A claim that does not parse; `column` is 1-based within the claim text."""

    def __init__(self, message: str, column: int | None = None):
        super().__init__(message if column is None else f"{message} (column {column})")
        self.column = column


# ---------------------------------------------------------------- expression tree


@dataclass(frozen=True)
class Num:
    value: float

    def eval(self, values: Mapping[tuple[str, str], float]) -> float:
        return self.value

    def refs(self) -> list[tuple[str, str]]:
        return []

    def __str__(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Ref:
    arm: str
    metric: str

    def eval(self, values: Mapping[tuple[str, str], float]) -> float:
        return values[(self.arm, self.metric)]

    def refs(self) -> list[tuple[str, str]]:
        return [(self.arm, self.metric)]

    def __str__(self) -> str:
        return f"{self.arm}.{self.metric}"


@dataclass(frozen=True)
class Neg:
    operand: Num | Ref | Neg | BinOp

    def eval(self, values: Mapping[tuple[str, str], float]) -> float:
        return -self.operand.eval(values)

    def refs(self) -> list[tuple[str, str]]:
        return self.operand.refs()

    def __str__(self) -> str:
        return f"-{self.operand}"


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Num | Ref | Neg | BinOp
    right: Num | Ref | Neg | BinOp

    def eval(self, values: Mapping[tuple[str, str], float]) -> float:
        a, b = self.left.eval(values), self.right.eval(values)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        return a / b if b != 0 else math.nan

    def refs(self) -> list[tuple[str, str]]:
        return self.left.refs() + self.right.refs()

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


Expr = Num | Ref | Neg | BinOp


@dataclass(frozen=True)
class Claim:
    text: str
    left: Expr
    op: str  # ">" or "<"
    right: Expr
    # from the lab file, beside the grammar: the claim in plain words (language -> text) and the questions it backs
    says: dict[str, str] | None = field(default=None, compare=False)
    backs: tuple[str, ...] = field(default=(), compare=False)

    def refs(self) -> list[tuple[str, str]]:
        return self.left.refs() + self.right.refs()

    def constants(self) -> tuple[float, float]:
        """The number added at the top level of each side (`b.val_acc - 0.02`: -0.02), 0 where none."""
        return split_constant(self.left)[1], split_constant(self.right)[1]

    @property
    def threshold(self) -> float:
        """What the sides' difference (left - right for `>`, right - left for `<`, each side without its
        added number) must exceed by the claim's own words: `a > b + 0.2` needs +0.2, `a > b - 0.02` allows
        -0.02 (a tolerance). The margin is that difference minus the threshold."""
        left, right = self.constants()
        return right - left if self.op == ">" else left - right

    def margin(self, values: Mapping[tuple[str, str], float]) -> tuple[float, float, float]:
        """(left, right, margin) for one seed; the margin is positive when the claim is true."""
        a, b = self.left.eval(values), self.right.eval(values)
        return a, b, (a - b) if self.op == ">" else (b - a)


def split_constant(node: Expr) -> tuple[Expr | None, float]:
    """An expression as (its part without top-level added numbers, the sum of those numbers):
    `b.val_acc - 0.02` -> (b.val_acc, -0.02); `2 * b.x` stays whole (a product is not a tolerance)."""
    if isinstance(node, Num):
        return None, node.value
    if isinstance(node, Neg):
        inner, const = split_constant(node.operand)
        return (None if inner is None else Neg(inner)), -const
    if isinstance(node, BinOp) and node.op in "+-":
        (a, ca), (b, cb) = split_constant(node.left), split_constant(node.right)
        sign = 1.0 if node.op == "+" else -1.0
        if b is None:
            rest = a
        elif a is None:
            rest = b if node.op == "+" else Neg(b)
        else:
            rest = BinOp(node.op, a, b)
        return rest, ca + sign * cb
    return node, 0.0


# ---------------------------------------------------------------- parser

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<ref>[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>>=|<=|==|!=|[-+*/()<>]))"
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ClaimSyntaxError(f"unexpected character {text[col - 1]!r}", col)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind), m.start(kind) + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        if len(self.toks) > MAX_TOKENS:
            raise ClaimSyntaxError(f"too long: {len(self.toks)} tokens (at most {MAX_TOKENS})", self.toks[MAX_TOKENS][2])
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise ClaimSyntaxError("the claim ends too early", len(self.text.rstrip()) + 1)
        self.i += 1
        return tok

    def claim(self) -> Claim:
        if not self.toks:
            raise ClaimSyntaxError("empty claim")
        left = self.expr()
        tok = self.peek()
        if tok is None or tok[0] != "op" or tok[1] not in {">", "<", ">=", "<=", "==", "!="}:
            col = tok[2] if tok else len(self.text.rstrip()) + 1
            raise ClaimSyntaxError("expected a comparison '>' or '<' between two sides", col)
        if tok[1] in {"==", "!="}:
            raise ClaimSyntaxError(
                f"'{tok[1]}' cannot be judged over noisy seeds; state a direction with '>' or '<' "
                "(e.g. 'a.val_acc < b.val_acc + 0.02' for 'a is not better by more than 2 points')",
                tok[2],
            )
        self.i += 1
        op = tok[1][0]
        right = self.expr()
        extra = self.peek()
        if extra is not None:
            if extra[0] == "op" and extra[1] in {">", "<", ">=", "<="}:
                raise ClaimSyntaxError("one comparison per claim (write a second claim instead)", extra[2])
            raise ClaimSyntaxError(f"unexpected {extra[1]!r}", extra[2])
        return Claim(self.text.strip(), left, op, right)

    def expr(self) -> Expr:
        node = self.term()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in "+-" and len(tok[1]) == 1:
            self.i += 1
            node = BinOp(tok[1], node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in "*/" and len(tok[1]) == 1:
            self.i += 1
            node = BinOp(tok[1], node, self.factor())
        return node

    def factor(self) -> Expr:
        kind, value, col = self.take()
        if kind == "num":
            return Num(float(value))
        if kind == "ref":
            arm, metric = value.split(".")
            return Ref(arm, metric)
        if kind == "op" and value in ("-", "("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ClaimSyntaxError(f"nested too deep (at most {MAX_DEPTH} parentheses or unary minuses)", col)
            node = self.nested(value)
            self.depth -= 1
            return node
        if kind == "name":
            raise ClaimSyntaxError(f"'{value}' is not an arm metric (write ARM.METRIC, e.g. {value}.val_acc)", col)
        raise ClaimSyntaxError(f"unexpected {value!r}", col)

    def nested(self, opener: str) -> Expr:
        if opener == "-":
            return Neg(self.factor())
        node = self.expr()
        close = self.take()
        if close[1] != ")":
            raise ClaimSyntaxError(f"expected ')' but found {close[1]!r}", close[2])
        return node


def parse_claim(text: str) -> Claim:
    """Parse one claim; raises ClaimSyntaxError (with a column) when it is not a valid comparison."""
    if not isinstance(text, str):
        raise ClaimSyntaxError("a claim must be text")
    if len(text) > MAX_CHARS:
        raise ClaimSyntaxError(f"too long: {len(text):,} characters (at most {MAX_CHARS})")
    return _Parser(text).claim()


def check_refs(claim: Claim, arms: Sequence[str], metrics: Sequence[str] | None = None) -> list[str]:
    """Problems with the arm names and metrics a claim mentions (empty when all are known)."""
    if metrics is None:
        from tutor.lab.spec.metrics import metric_help

        metrics = list(metric_help())
    else:
        metrics = list(metrics)
    problems = []
    for arm, metric in claim.refs():
        if arm not in arms:
            problems.append(f"unknown arm '{arm}' in claim (arms: {', '.join(arms)})")
        if metric not in metrics:
            problems.append(f"unknown metric '{metric}' in claim (metrics: {', '.join(metrics)})")
    return list(dict.fromkeys(problems))
