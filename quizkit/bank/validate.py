"""Checks beyond structure: symbolic answers parse safely, parametrized questions hold over their parameter
space, prompts are not near-duplicates, and the item-writing lint (lint.py) finds no answer cues."""

from __future__ import annotations

import difflib
import itertools
import math
import random
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from quizkit.bank.load import LoadResult, load_paths
from quizkit.bank.model import LETTERS, Diagnostic, Param, Question
from quizkit.bank.params import compile_expr, fill, holds, names_of, placeholders
from quizkit.bank.rubric import check_rubrics
from quizkit.safeexpr import ExprError, Number

NEAR_DUPLICATE_RATIO = 0.92
RANDOM_DRAWS = 200  # per parametrized question, besides the corners of its ranges
MAX_CORNERS = 256
RARE_WHERE = 0.05  # a `where:` that holds less often than this makes drawing slow and fallible


def validate(paths: Iterable[str | Path] | None = None, *, strict: bool = False, lint: bool = True) -> LoadResult:
    """Load every bank and run every check (the item-writing lint too, unless `lint` is off);
    with `strict`, warnings count as errors."""
    result = load_paths(paths)
    questions = result.questions
    result.diagnostics.extend(check_symbolic(questions))
    result.diagnostics.extend(d for q in questions if q.params for d in check_params(q))
    result.diagnostics.extend(check_near_duplicates(questions))
    if lint:
        from quizkit.bank.lint import lint as run_lint

        result.diagnostics.extend(f.diagnostic() for f in run_lint(questions))
    result.diagnostics.extend(check_rubrics(questions))
    if strict:
        result.diagnostics = [Diagnostic(d.path, d.line, "error", d.message) for d in result.diagnostics]
    result.diagnostics.sort()
    return result


def check_symbolic(questions: list[Question]) -> list[Diagnostic]:
    symbolic = [q for q in questions if q.type == "symbolic"]
    if not symbolic:
        return []
    from quizkit.symbolic import SymbolicError, parse

    out = []
    for q in symbolic:
        try:
            parse(str(q.answer), q.variables)
        except SymbolicError as err:
            out.append(Diagnostic(q.bank, q.line, "error", f"symbolic answer of '{q.id}' does not parse: {err}"))
    return out


def sample_space(params: tuple[Param, ...], seed: str) -> list[dict[str, Number]]:
    """The corners of every range (ends, next to the ends, middle; every choice), then random draws."""
    axes = []
    for p in params:
        if p.kind == "choice":
            axes.append(list(dict.fromkeys(p.values)))
        elif p.kind == "int":
            lo, hi = int(p.values[0]), int(p.values[1])
            axes.append(sorted({lo, min(lo + 1, hi), (lo + hi) // 2, max(hi - 1, lo), hi}))
        else:
            axes.append(sorted({round(v, p.round) for v in (p.values[0], (p.values[0] + p.values[1]) / 2,
                                                               p.values[1])}))
    rng = random.Random(seed)
    corners = list(itertools.islice(itertools.product(*axes), MAX_CORNERS * 4))
    if len(corners) > MAX_CORNERS:
        corners = rng.sample(corners, MAX_CORNERS)
    names = [p.name for p in params]
    envs: list[dict[str, Number]] = [dict(zip(names, c)) for c in corners]
    from quizkit.bank.params import draw_values

    envs.extend(draw_values(params, rng) for _ in range(RANDOM_DRAWS))
    return envs


def _shown(env: Mapping[str, Number]) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in env.items())


def _pieces(q: Question) -> list[tuple[str, str]]:
    """(what, expression) for everything a draw computes."""
    out = [("answer", str(q.answer))] if q.type in ("numeric", "true_false") and isinstance(q.answer, str) else []
    for name, text in (("prompt", q.prompt), ("explanation", q.explanation),
                       *((f"option {LETTERS[i]}", o) for i, o in enumerate(q.options))):
        out.extend((name, expr) for expr, _ in placeholders(text))
    return out


def _same_option(a: str, b: str) -> bool:
    a, b = " ".join(a.split()), " ".join(b.split())
    if a == b:
        return True
    try:
        x, y = float(a.replace(",", "")), float(b.replace(",", ""))
    except ValueError:
        return False
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def check_params(q: Question) -> list[Diagnostic]:
    """Over a sample of its parameter space, every value q shows or scores is defined and finite, and no two
    options coincide. One diagnostic per kind of problem, with the numbers that show it."""
    names = names_of(q)
    found: dict[str, str] = {}
    held = 0
    envs = sample_space(q.params, "validate:" + q.id)
    for env in envs:
        try:
            if not holds(q, env):
                continue
        except ExprError as err:
            found.setdefault("where", f"a 'where' condition is {err} for {_shown(env)}")
            continue
        held += 1
        for what, expr in _pieces(q):
            try:
                compile_expr(expr, names)(env)
            except ExprError as err:
                found.setdefault(what, f"{what} '{expr}' is {_reason(err)} for {_shown(env)}")
        if found:
            continue
        try:
            drawn = fill(q, env)
        except ExprError as err:  # a format spec that does not fit the value, e.g. :d on a float
            found.setdefault("format", f"{err} for {_shown(env)}")
            continue
        for (i, a), (j, b) in itertools.combinations(enumerate(drawn.options), 2):
            if _same_option(a, b):
                found.setdefault("options", f"options {LETTERS[i]} and {LETTERS[j]} both show '{a}' for "
                                            f"{_shown(env)}; add a 'where:' or change a distractor")
    if not held and "where" not in found:
        found["where"] = "its 'where' conditions never hold on the sampled params; widen the ranges"
    out = [Diagnostic(q.bank, q.line, "error", f"parametrized '{q.id}': {msg}") for msg in found.values()]
    if held and held < RARE_WHERE * len(envs):
        out.append(Diagnostic(q.bank, q.line, "warning", f"parametrized '{q.id}': 'where' holds for only {held} of "
                                                         f"{len(envs)} sampled draws, so drawing may give up; "
                                                         "narrow the ranges to where it holds"))
    return out


def _reason(err: ExprError) -> str:
    if err.kind == "undefined":
        return f"undefined ({str(err).removeprefix('undefined: ')})"
    return {"zero_division": "a division by zero", "too_large": "too large (not finite)"}.get(err.kind, str(err))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def check_near_duplicates(questions: list[Question]) -> list[Diagnostic]:
    """Same or nearly the same prompt twice, whatever the type: one of them is probably a copy."""
    keyed = sorted(((_normalise(q.prompt), q) for q in questions), key=lambda kq: len(kq[0]))
    out = []
    for i, (a, qa) in enumerate(keyed):
        if not a:
            continue
        for b, qb in keyed[i + 1:]:
            if 2 * len(a) < NEAR_DUPLICATE_RATIO * (len(a) + len(b)):
                break  # sorted by length: no later prompt can reach the ratio 2*|a| / (|a| + |b|)
            if a == b:
                ratio = 1.0
            else:
                matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
                if matcher.real_quick_ratio() < NEAR_DUPLICATE_RATIO or matcher.quick_ratio() < NEAR_DUPLICATE_RATIO:
                    continue
                ratio = matcher.ratio()
            if qa.group and qa.group == qb.group:
                continue  # declared as one fact: a session never shows both
            if ratio >= NEAR_DUPLICATE_RATIO and (qa.type == qb.type or ratio == 1.0):
                first, second = sorted((qa, qb), key=lambda q: (q.bank, q.line))
                what = "the same prompt as" if ratio == 1.0 else f"a near-duplicate prompt ({ratio:.0%}) of"
                out.append(Diagnostic(second.bank, second.line, "warning",
                                      f"'{second.id}' has {what} '{first.id}' ({first.bank}:{first.line})"))
    return out
