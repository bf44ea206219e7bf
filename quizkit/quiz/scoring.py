"""Turn one typed answer into a `Result`. Pure functions: no terminal, no database.

Scores are fractions of the question's credit (0..1). Multiple choice follows PrairieLearn pl-checkbox's
partial-credit schemes; short answers follow the key-point rubric of quiz/rubric.py and are confirmed by
the student.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, NamedTuple

from quizkit.bank.model import LETTERS, Question

# FSRS ratings (the same numbers as fsrs.Rating, without importing it).
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATINGS = (AGAIN, HARD, GOOD, EASY)
# Full credit, allowing for float rounding in the partial-credit formulas.
FULL = 1 - 1e-9


class AnswerError(ValueError):
    """Input that is not an answer to this question (bad letter, not a number): ask again, count nothing.

    `key` names the message in render/i18n.py; `args` fill it in.
    """

    def __init__(self, key: str, **args: object):
        super().__init__(key)
        self.key = key
        self.args_ = args


class Result(NamedTuple):
    """The outcome of one answer (a NamedTuple: immutable, and cheap to define on the quiz path)."""

    score: float  # fraction of the credit, 0..1
    given: str  # the answer as stored and shown back: "AC", "T", "0.25", or the text
    hits: tuple[str, ...] = ()  # short answer: labels of the key points found
    missed: tuple[str, ...] = ()  # short answer: labels of the key points not found
    detail: dict[str, Any] = {}  # noqa: RUF012 - never mutated; each Result that needs one gets its own

    @property
    def verdict(self) -> str:
        """"right" | "partial" | "wrong"."""
        if self.score >= FULL:
            return "right"
        return "partial" if self.score > 0 else "wrong"

    @property
    def rating(self) -> int:
        """The FSRS rating that correctness implies: wrong -> Again, partial -> Hard, right -> Good."""
        return suggested_rating(self.score)


def suggested_rating(score: float) -> int:
    if score >= FULL:
        return GOOD
    return HARD if score > 0 else AGAIN


def score_for_rating(rating: int, suggested: float) -> float:
    """The score a short answer keeps after the student's own rating.

    Confirming the suggestion keeps the rubric's score; an override sets it: Again 0, Hard 0.5, Good/Easy 1.
    """
    if rating == suggested_rating(suggested):
        return suggested
    return {AGAIN: 0.0, HARD: 0.5, GOOD: 1.0, EASY: 1.0}[rating]


def parse_rating(text: str) -> int | None:
    """'' -> None (accept the suggestion); '1'..'4' or the English names -> the rating."""
    s = text.strip().lower()
    if not s:
        return None
    names = {"again": AGAIN, "hard": HARD, "good": GOOD, "easy": EASY,
             "重来": AGAIN, "困难": HARD, "良好": GOOD, "简单": EASY}
    if s in names:
        return names[s]
    if s in ("1", "2", "3", "4"):
        return int(s)
    raise AnswerError("bad_rating")


# -- choice ---------------------------------------------------------------------------------------------
_SEPARATORS = re.compile(r"[\s,，、;；/+&]+")


def parse_letters(text: str, n_options: int, *, single: bool) -> tuple[str, ...]:
    """`AC`, `a,c`, `A C`, `c a` -> ("A", "C"): sorted, deduplicated, checked against the options shown."""
    letters = unicodedata.normalize("NFKC", text).upper()
    letters = _SEPARATORS.sub("", letters)
    valid = LETTERS[:n_options]
    if not letters:
        raise AnswerError("bad_choice", letters=f"A-{valid[-1]}")
    bad = [ch for ch in letters if ch not in valid]
    if bad:
        raise AnswerError("bad_choice", letters=f"A-{valid[-1]}")
    picked = tuple(sorted(set(letters)))
    if single and len(picked) != 1:
        raise AnswerError("one_letter")
    return picked


def choice_credit(picked: set[str], correct: set[str], n_options: int, scheme: str) -> float:
    """pl-checkbox partial credit. PC (net_correct): (right picked - wrong picked) / #correct, floored at 0;
    COV (coverage): (hits/#correct) x (hits/#picked); EDC (each_answer): share of the n decisions made right;
    all_or_nothing: 1 only for the exact set."""
    if picked == correct:
        return 1.0
    hits = len(picked & correct)
    wrong_picks = len(picked - correct)
    if scheme == "net_correct":
        return max(0.0, (hits - wrong_picks) / len(correct))
    if scheme == "coverage":
        return (hits / len(correct)) * (hits / len(picked)) if picked else 0.0
    if scheme == "each_answer":
        return 1.0 - (wrong_picks + len(correct - picked)) / n_options
    if scheme == "all_or_nothing":
        return 0.0
    raise ValueError(f"unknown scoring scheme {scheme!r}")


def correct_letters(q: Question) -> tuple[str, ...]:
    """The right options, as letters of the written order."""
    ans = q.answer
    return (ans,) if isinstance(ans, str) else tuple(ans)  # type: ignore[arg-type]


# -- true/false -----------------------------------------------------------------------------------------
TRUE_INPUTS = {"t", "true", "y", "yes", "对", "正确", "是", "√", "✓", "1"}
FALSE_INPUTS = {"f", "false", "n", "no", "错", "错误", "否", "×", "x", "✗", "0"}


def parse_bool(text: str) -> bool:
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if s in TRUE_INPUTS:
        return True
    if s in FALSE_INPUTS:
        return False
    raise AnswerError("bad_bool")


# -- numeric --------------------------------------------------------------------------------------------
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?$")
EPSILON = 1e-9  # relative slack for exact answers: 0.1 + 0.2 is 0.3


def parse_number(text: str, unit: str = "") -> float:
    """`1e-3`, `132,863,336`, `0.25`, `1/4`, `2^10`, `(200*0.02)**10`, with an optional trailing unit.

    Anything beyond a plain number goes through quizkit.safeexpr (numbers and operators only, `^` is a power);
    a refusal says which problem it was: not a number, division by zero, or too large."""
    s = unicodedata.normalize("NFKC", text).strip().replace("−", "-").replace("_", "")
    if unit and s.endswith(unit):
        s = s[: -len(unit)].strip()
    s = s.replace(" ", "").replace("×", "*").replace("÷", "/")
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError:
        value = _expression(s)
    if math.isinf(value):
        raise AnswerError("number_too_large")
    if math.isnan(value):
        raise AnswerError("bad_number")
    return value


def _expression(s: str) -> float:
    from quizkit.safeexpr import ExprError, evaluate, parse

    try:
        return float(evaluate(parse(s, (), caret_power=True)))
    except ExprError as err:
        key = {"zero_division": "number_zero_division", "too_large": "number_too_large"}.get(err.kind, "bad_number")
        raise AnswerError(key) from None
    except OverflowError:
        raise AnswerError("number_too_large") from None


def numeric_ok(value: float, q: Question) -> bool:
    expected = float(q.answer)  # type: ignore[arg-type]
    diff = abs(value - expected)
    if q.tolerance is None and q.rel_tolerance is None:
        return diff <= EPSILON * max(1.0, abs(expected))
    ok = False
    if q.tolerance is not None:
        ok = ok or diff <= q.tolerance + EPSILON * max(1.0, abs(expected))
    if q.rel_tolerance is not None:
        ok = ok or diff <= q.rel_tolerance * abs(expected) + EPSILON
    return ok


def format_number(x: float) -> str:
    return f"{x:.10g}"


# -- dispatch -------------------------------------------------------------------------------------------
def score(q: Question, text: str, order: tuple[int, ...] | None = None) -> Result:
    """Score the typed text. `order[i]` is the written index of the option shown at position i."""
    text = text.strip()
    if not text:
        raise AnswerError("empty")
    if q.type in ("single", "multiple"):
        n = len(q.options)
        shown = parse_letters(text, n, single=q.type == "single")
        order = order or tuple(range(n))
        written = {LETTERS[order[LETTERS.index(ch)]] for ch in shown}
        credit = choice_credit(written, set(correct_letters(q)), n, q.scoring if q.type == "multiple" else
                               "all_or_nothing")
        return Result(credit, "".join(shown), detail={"written": "".join(sorted(written))})
    if q.type == "true_false":
        truth = parse_bool(text)
        return Result(1.0 if truth == q.answer else 0.0, "T" if truth else "F")
    if q.type == "numeric":
        number = parse_number(text, q.unit)
        return Result(1.0 if numeric_ok(number, q) else 0.0, format_number(number))
    if q.type == "symbolic":
        from quizkit.symbolic import SymbolicError, equivalent  # sympy only now, when it is needed

        try:
            ok = equivalent(text, str(q.answer), q.variables)
        except SymbolicError as err:
            raise AnswerError("bad_expression", reason=str(err)) from None
        return Result(1.0 if ok else 0.0, text)
    if q.type == "short_answer":
        from quizkit.quiz.rubric import rubric  # the key-point rubric lives in its own module

        return rubric(q, text)
    raise ValueError(f"unknown question type {q.type!r}")


def shown_letters(written: tuple[str, ...], order: tuple[int, ...] | None) -> str:
    """Letters of the written order -> the letters the student saw."""
    if not order:
        return "".join(sorted(written))
    pos = {o: i for i, o in enumerate(order)}
    return "".join(sorted(LETTERS[pos[LETTERS.index(ch)]] for ch in written))
