"""The question model: immutable, already normalised by the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

TYPES = ("single", "multiple", "true_false", "short_answer", "numeric", "symbolic")
SCORING_SCHEMES = ("net_correct", "coverage", "each_answer", "all_or_nothing")
LETTERS = "ABCDEFGH"

# single -> "A"; multiple -> ("A", "C"); true_false -> bool; numeric -> float;
# symbolic -> SymPy source text; short_answer -> the model answer text.
Answer = str | tuple[str, ...] | bool | float


@dataclass(frozen=True)
class KeyPoint:
    """One claim of a short-answer rubric; quizkit/quiz/rubric.py says how it is matched."""

    points: float
    any: tuple[str, ...]  # one group: any of these phrasings
    label: str  # what is shown as hit/missed; defaults to the first phrasing
    all: tuple[tuple[str, ...], ...] = ()  # more groups that must hold in the same clause as `any`
    unless: tuple[str, ...] = ()  # phrasings that void the claim where they stand beside it (misconceptions)
    enumeration: bool = False  # naming the items is the claim: a bare keyword list may hit it


@dataclass(frozen=True)
class Example:
    """A student answer a rubric must mark within [low, high]: checked by `quizkit bank validate`."""

    answer: str
    low: float
    high: float
    line: int = 0


class Param(NamedTuple):
    """One declared parameter of a parametrized question (`params:` in the bank)."""

    name: str
    kind: str  # "int" (inclusive range) | "float" (uniform, rounded) | "choice" (one of the values)
    values: tuple[float, ...]  # int/float: (low, high); choice: the values
    round: int = 4  # float only: decimals kept


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    answer: Answer
    bank: str  # path of the bank file
    line: int  # line of the question in that file
    topic: str  # the bank's first tag (or the question's first tag): what progress is grouped by
    options: tuple[str, ...] = ()
    explanation: str = ""
    tags: tuple[str, ...] = ()  # bank tags first, then the question's own
    difficulty: int = 2
    source: str = ""
    scoring: str = "net_correct"  # multiple only
    tolerance: float | None = None  # numeric: absolute
    rel_tolerance: float | None = None  # numeric: relative
    unit: str = ""
    variables: tuple[str, ...] = ()  # symbolic
    key_points: tuple[KeyPoint, ...] = ()  # short_answer
    group: str = ""  # questions sharing a group test one fact: a session draws at most one of them
    # Parametrized questions: prompt, options and explanation hold `{{ expr }}` placeholders, and a numeric
    # answer is an expression (text) over the params, until quizkit.bank.params.instantiate() draws numbers.
    params: tuple[Param, ...] = ()
    where: tuple[str, ...] = ()  # conditions every draw must meet
    drawn: tuple[tuple[str, float], ...] = ()  # an instantiated question: the numbers of this draw
    examples: tuple[Example, ...] = ()  # short_answer: answers the rubric must mark in range

    @property
    def is_choice(self) -> bool:
        return self.type in ("single", "multiple")

    def letter_of(self, index: int) -> str:
        return LETTERS[index]


@dataclass(frozen=True)
class Bank:
    path: str
    title: str
    tags: tuple[str, ...]
    questions: tuple[Question, ...] = field(default_factory=tuple)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in a bank, printed as `path:line: severity: message`."""

    path: str
    line: int
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"
