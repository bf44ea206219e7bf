"""Pick questions (by tag, type, difficulty, at most one per group), draw the numbers of parametrized ones,
and decide the order their options are shown in."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from quizkit.bank.model import TYPES, Question
from quizkit.errors import UsageError
from quizkit.render.i18n import t

# Options that refer to the others ("以上都对", "none of the above") keep their written place when shuffling.
_PINNED = re.compile(r"以上|上述|都不|均不|all of the above|none of the above|both|neither", re.IGNORECASE)


class Presented(NamedTuple):
    """A question as one student sees it: `order[i]` is the written index of the option shown at i."""

    question: Question
    order: tuple[int, ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        q = self.question
        return tuple(q.options[i] for i in self.order) if self.order else q.options


class Filters(NamedTuple):
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    difficulties: frozenset[int] = frozenset()

    def match(self, q: Question) -> bool:
        if self.tags and not any(tag in q.tags or tag == q.topic for tag in self.tags):
            return False
        if self.types and q.type not in self.types:
            return False
        return not (self.difficulties and q.difficulty not in self.difficulties)


def parse_difficulty(spec: str | None) -> frozenset[int]:
    """`2`, `1-2`, `1,3` -> the set of difficulty levels."""
    if not spec:
        return frozenset()
    out: set[int] = set()
    try:
        for part in spec.replace(" ", "").split(","):
            lo, sep, hi = part.partition("-")
            levels = range(int(lo), int(hi) + 1) if sep else range(int(lo), int(lo) + 1)
            # An empty range (3-1) or a level no bank can hold would silently select nothing, or everything.
            if not levels or levels[0] < 1 or levels[-1] > 3:
                raise ValueError(part)
            out.update(levels)
    except ValueError:
        raise UsageError(t("usage.difficulty", spec=spec)) from None
    return frozenset(out)


def parse_types(values: Iterable[str]) -> tuple[str, ...]:
    aliases = {"tf": "true_false", "truefalse": "true_false", "judge": "true_false", "short": "short_answer",
               "sa": "short_answer", "choice": "single", "single_choice": "single", "multi": "multiple",
               "multiple_choice": "multiple", "number": "numeric", "expr": "symbolic", "expression": "symbolic",
               "单选": "single", "多选": "multiple", "判断": "true_false", "简答": "short_answer",
               "计算": "numeric", "公式": "symbolic"}
    out = []
    for raw in values:
        for v in raw.split(","):
            name = aliases.get(v.strip().lower().replace("-", "_"), v.strip().lower().replace("-", "_"))
            if name not in TYPES:
                raise UsageError(t("usage.type", value=v, types=", ".join(TYPES)))
            out.append(name)
    return tuple(dict.fromkeys(out))


def apply(questions: Sequence[Question], filters: Filters) -> list[Question]:
    return [q for q in questions if filters.match(q)]


def make_rng(seed: int | None, salt: str = "") -> random.Random:
    return random.Random(f"{seed}:{salt}") if seed is not None else random.Random()


def one_per_group(questions: Iterable[Question], used: set[str] | None = None) -> list[Question]:
    """The questions in order, skipping any whose group already has one (in this list or in `used`, which is
    updated): a session never asks the same fact twice."""
    seen = used if used is not None else set()
    out = []
    for q in questions:
        if q.group:
            if q.group in seen:
                continue
            seen.add(q.group)
        out.append(q)
    return out


def sample(questions: Sequence[Question], count: int | None, seed: int | None,
           used_groups: set[str] | None = None) -> list[Question]:
    """A shuffled selection of `count` questions (all when None), at most one per group (none from
    `used_groups`, which is updated); the same seed gives the same list."""
    chosen = list(questions)
    make_rng(seed, "order").shuffle(chosen)
    chosen = one_per_group(chosen, used_groups)
    return chosen if count is None else chosen[: max(0, count)]


def option_order(q: Question, seed: int | None, shuffle: bool = True) -> tuple[int, ...]:
    """The shown order of q's options; depends only on the seed and the question id, not on what else was picked."""
    n = len(q.options)
    if not shuffle or n < 2:
        return tuple(range(n))
    movable = [i for i, text in enumerate(q.options) if not _PINNED.search(text)]
    shuffled = movable[:]
    make_rng(seed, "options:" + q.id).shuffle(shuffled)
    it = iter(shuffled)
    return tuple(next(it) if i in movable else i for i in range(n))


def present(questions: Iterable[Question], seed: int | None, shuffle: bool = True) -> list[Presented]:
    """What the student sees: parametrized questions with this draw's numbers (the same for the same seed and
    id, fresh without a seed), options in their shown order."""
    out = []
    for q in questions:
        if q.params:
            from quizkit.bank.params import instantiate

            q = instantiate(q, make_rng(seed, "params:" + q.id))
        out.append(Presented(q, option_order(q, seed, shuffle) if q.is_choice else ()))
    return out
