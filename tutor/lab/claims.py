"""Claims: safe comparisons of arm metrics, and the verdict rule that judges them over seeds.

A claim is one comparison, e.g. ``finetune_more_data.val_acc > dropout.val_acc + 0.03``. Each side is a
small arithmetic expression over numbers and ``arm.metric`` references (``+ - * /``, parentheses, unary
minus). The grammar is parsed here by hand into a tiny tree; nothing in a lab file is ever evaluated as
Python.

The verdict rule that judges claims over seeds is in `tutor.lab.verdict.rule`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VERDICTS = ("reproduced", "contradicted", "inconclusive")

METRICS: dict[str, str] = {
    "train_acc": "accuracy on the arm's own training images (evaluation mode, no augmentation), 0-1",
    "val_acc": "accuracy on the validation split, 0-1",
    "test_acc": "accuracy on the test split (reported only; never used for any choice), 0-1",
    "train_loss": "cross-entropy on the training images",
    "val_loss": "cross-entropy on the validation split",
    "test_loss": "cross-entropy on the test split",
    "gap": "train_acc - val_acc (how much the model fits its own images better than new ones)",
    "first_epoch_val_acc": "validation accuracy after the first epoch",
    "first_epoch_train_acc": "training accuracy after the first epoch",
    "best_val_acc": "best validation accuracy over the epochs",
    "seconds": "wall-clock seconds the arm took for one seed",
    "train_images": "how many training images the arm used",
    "images_seen": "training images x epochs (x trials for a search): the arm's training budget",
    # plain networks trained from scratch (`model: plain`; tutor/lab/plainnet.py, probes.py, stability.py)
    "distinct_units": "plain nets: distinct units per hidden layer after training, averaged over the layers "
                      "(= width when symmetry is broken, 1 when every unit is a copy of one)",
    "act_log_ratio": "plain nets: log10(activation std of the last hidden layer / of the first) at initialisation "
                     "(0: the signal keeps its scale; -5: it shrinks 100,000-fold on the way up)",
    "grad_log_ratio": "plain nets: log10(weight-gradient norm of the first hidden layer / of the last) at "
                      "initialisation (negative: the gradient vanishes on its way back to the input)",
    "diverged": "plain nets and clip_grad arms: 1 when the training loss became NaN or infinite (training stopped), else 0; "
                "its mean over seeds is the fraction of diverged seeds",
    "final_loss": "plain nets and clip_grad arms: mean training loss over the last epoch's steps (a diverged run counts as 100)",
    "max_loss_spike": "plain nets and clip_grad arms: largest rise of the training loss (means of 10 steps) above its lowest value "
                      "so far (a diverged run counts as 100)",
    "epochs_to_target": "plain nets with `target_acc`: first epoch whose validation accuracy reaches the target "
                        "(epochs + 1 when it never does)",
    # gradual unfreezing (`unfreeze_at`; tutor/lab/schedules.py)
    "unfreeze_drop": "arms with unfreeze_at: validation accuracy just before unfreezing minus the lowest one measured "
                     "after each step of the first epoch after it (positive: accuracy dropped), 0-1",
    "unfreeze_loss_spike": "arms with unfreeze_at: highest batch loss in the first epoch after unfreezing minus the mean "
                           "batch loss of the last head-only epoch",
    "pre_unfreeze_val_acc": "arms with unfreeze_at: validation accuracy at the end of the last head-only epoch, 0-1",
    # few-shot by nearest prototype (`method: prototype`; tutor/lab/prototypes.py)
    "episode_sd": "prototype arms: standard deviation of the validation accuracy across one seed's episodes, 0-1",
    "clipped_frac": "plain nets and clip_grad arms: fraction of steps where gradient clipping shortened the gradient (0 without clip_grad)",
    # classification heads (`pool`, `hidden`, `head_norm`; tutor/lab/train.py)
    # explicit penalties and early stopping (`l1`, `l2`, `early_stopping`; tutor/lab/penalties.py)
    "sparsity": "fraction of the trained weights (conv kernels and linear weights, not biases or norm parameters) "
                "whose magnitude is below 0.001 at the end, 0-1",
    "stopped_epoch": "arms with early_stopping: the epoch training stopped at (= epochs when the patience never ran out)",
    "params": "trainable parameters of the arm: what the optimiser updates (the head for a frozen backbone, plus "
              "the unfrozen stages when fine-tuning; every weight of a plain net)",
    # class imbalance (`class_weight`, `sampler`; tutor/lab/imbalance.py), sklearn.metrics on the predictions
    "balanced_acc": "balanced accuracy on the validation split: recall averaged over the classes "
                    "(sklearn balanced_accuracy_score; always answering one class scores 1 / classes), 0-1",
    "minority_recall": "recall of the minority class (the rarest in the arm's training labels) on the validation "
                       "split: the fraction of its images the model finds, 0-1",
    "test_balanced_acc": "balanced accuracy on the test split (reported only), 0-1",
    "test_minority_recall": "recall of the minority class on the test split (reported only), 0-1",
}


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

    def refs(self) -> list[tuple[str, str]]:
        return self.left.refs() + self.right.refs()

    def margin(self, values: Mapping[tuple[str, str], float]) -> tuple[float, float, float]:
        """(left, right, margin) for one seed; the margin is positive when the claim is true."""
        a, b = self.left.eval(values), self.right.eval(values)
        return a, b, (a - b) if self.op == ">" else (b - a)


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
        self.i = 0

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
        if kind == "op" and value == "-":
            return Neg(self.factor())
        if kind == "op" and value == "(":
            node = self.expr()
            close = self.take()
            if close[1] != ")":
                raise ClaimSyntaxError(f"expected ')' but found {close[1]!r}", close[2])
            return node
        if kind == "name":
            raise ClaimSyntaxError(f"'{value}' is not an arm metric (write ARM.METRIC, e.g. {value}.val_acc)", col)
        raise ClaimSyntaxError(f"unexpected {value!r}", col)


def parse_claim(text: str) -> Claim:
    """Parse one claim; raises ClaimSyntaxError (with a column) when it is not a valid comparison."""
    if not isinstance(text, str):
        raise ClaimSyntaxError("a claim must be text")
    return _Parser(text).claim()


def check_refs(claim: Claim, arms: Sequence[str], metrics: Sequence[str] | None = None) -> list[str]:
    """Problems with the arm names and metrics a claim mentions (empty when all are known)."""
    metrics = list(METRICS) if metrics is None else list(metrics)
    problems = []
    for arm, metric in claim.refs():
        if arm not in arms:
            problems.append(f"unknown arm '{arm}' in claim (arms: {', '.join(arms)})")
        if metric not in metrics:
            problems.append(f"unknown metric '{metric}' in claim (metrics: {', '.join(metrics)})")
    return list(dict.fromkeys(problems))


# ---------------------------------------------------------------- verdict

# The rule that judges claims over seeds lives in tutor.lab.verdict (re-exported here for older imports).
from tutor.lab.verdict.rule import Judgement, judge, judge_all, mean_sd, verdict  # noqa: E402,F401
