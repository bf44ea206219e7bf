"""Parametrized questions: draw the numbers, fill in `{{ expr }}` and compute the answer.

A question with `params:` is a template. `instantiate()` turns it into an ordinary `Question` with fresh
numbers (the same ones for the same random generator, so `--seed` reproduces a draw); its id stays the same,
so history and FSRS cards are kept per question, not per draw. Expressions go through quizkit.safeexpr only.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache

from quizkit.bank.model import Param, Question
from quizkit.errors import QuizkitError
from quizkit.safeexpr import Expr, ExprError, Number, parse

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
MAX_TRIES = 1000  # draws tried before a `where:` is declared unsatisfiable


class ParamError(QuizkitError):
    """A parametrized question that cannot be drawn (its conditions never hold, or an answer is undefined)."""


@lru_cache(maxsize=4096)
def compile_expr(source: str, names: tuple[str, ...]) -> Expr:
    return parse(source, names)


def split_placeholder(inner: str) -> tuple[str, str]:
    """`" lr*g :.4g "` -> ("lr*g", ".4g"). Expressions never contain ':' (no slices, dicts or lambdas)."""
    expr, _, spec = inner.partition(":")
    return expr.strip(), spec.strip()


def placeholders(text: str) -> Iterator[tuple[str, str]]:
    for match in PLACEHOLDER.finditer(text):
        yield split_placeholder(match.group(1))


def show(value: Number, spec: str = "") -> str:
    """How a computed number is printed: integers as integers, other floats with up to 6 significant digits."""
    if spec:
        try:
            return format(value, spec)
        except (ValueError, TypeError) as err:
            raise ExprError("construct", f"format ':{spec}' does not apply: {err}") from None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def render(text: str, env: Mapping[str, Number], names: tuple[str, ...]) -> str:
    """Replace every `{{ expr }}` / `{{ expr :fmt }}`; single braces (LaTeX) are left alone."""
    if "{{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        expr, spec = split_placeholder(match.group(1))
        return show(compile_expr(expr, names)(env), spec)

    return PLACEHOLDER.sub(one, text)


def draw_values(params: tuple[Param, ...], rng: random.Random) -> dict[str, Number]:
    env: dict[str, Number] = {}
    for p in params:
        if p.kind == "int":
            env[p.name] = rng.randint(int(p.values[0]), int(p.values[1]))
        elif p.kind == "float":
            env[p.name] = round(rng.uniform(p.values[0], p.values[1]), p.round)
        else:
            env[p.name] = rng.choice(p.values)
    return env


def names_of(q: Question) -> tuple[str, ...]:
    return tuple(p.name for p in q.params)


def holds(q: Question, env: Mapping[str, Number]) -> bool:
    names = names_of(q)
    return all(bool(compile_expr(cond, names)(env)) for cond in q.where)


def fill(q: Question, env: Mapping[str, Number]) -> Question:
    """q with these numbers filled in; ExprError when an expression is undefined for them."""
    names = names_of(q)
    answer = q.answer
    if q.type == "numeric" and isinstance(answer, str):
        answer = float(compile_expr(answer, names)(env))
    elif q.type == "true_false" and isinstance(answer, str):
        answer = bool(compile_expr(answer, names)(env))
    return dataclasses.replace(
        q, prompt=render(q.prompt, env, names), explanation=render(q.explanation, env, names),
        options=tuple(render(o, env, names) for o in q.options), answer=answer,
        drawn=tuple((n, env[n]) for n in names),
    )


def instantiate(q: Question, rng: random.Random) -> Question:
    """One draw of q (q itself when it has no params). Draws that break `where:` or make an expression
    undefined are retried; the validator refuses questions where that can happen at all."""
    if not q.params:
        return q
    last = "its conditions (where:) never held"
    for _ in range(MAX_TRIES):
        env = draw_values(q.params, rng)
        try:
            if not holds(q, env):
                continue
            return fill(q, env)
        except ExprError as err:
            last = str(err)
    raise ParamError(f"{q.bank}:{q.line}: error: cannot draw numbers for '{q.id}' in {MAX_TRIES} tries: {last}; "
                     "run `quizkit bank validate` on the bank")
