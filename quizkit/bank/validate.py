"""Checks beyond structure: symbolic answers parse safely, and prompts are not near-duplicates."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from quizkit.bank.load import LoadResult, load_paths
from quizkit.bank.model import Diagnostic, Question

NEAR_DUPLICATE_RATIO = 0.92


def validate(paths: Iterable[str | Path] | None = None, *, strict: bool = False) -> LoadResult:
    """Load every bank and run every check; with `strict`, warnings count as errors."""
    result = load_paths(paths)
    questions = result.questions
    result.diagnostics.extend(check_symbolic(questions))
    result.diagnostics.extend(check_near_duplicates(questions))
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
            if ratio >= NEAR_DUPLICATE_RATIO and (qa.type == qb.type or ratio == 1.0):
                first, second = sorted((qa, qb), key=lambda q: (q.bank, q.line))
                what = "the same prompt as" if ratio == 1.0 else f"a near-duplicate prompt ({ratio:.0%}) of"
                out.append(Diagnostic(second.bank, second.line, "warning",
                                      f"'{second.id}' has {what} '{first.id}' ({first.bank}:{first.line})"))
    return out
