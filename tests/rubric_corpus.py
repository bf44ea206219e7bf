"""The student-answer corpus of tests/data and the metrics the issue's "Done when" asks for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
GOOD_KINDS = ("good", "syn")
WRONG_KINDS = ("wrong", "echo", "offtopic")


def load(name: str = "short_answers.yaml") -> dict[str, list[tuple[str, float, str]]]:
    raw = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return {qid: [(kind, float(score), text) for kind, score, text in rows] for qid, rows in raw.items()}


def metrics(corpus: dict[str, list[tuple[str, float, str]]], mark: Callable[[str, str], float]) -> dict[str, Any]:
    """`mark(question_id, answer)` -> suggested score; returns the numbers of the issue, and the worst offenders."""
    wrong, only_wrong, good, errors, tied, rows = [], [], [], [], [], []
    for qid, answers in corpus.items():
        best_good = best_wrong = -1.0
        for kind, expert, text in answers:
            got = mark(qid, text)
            rows.append((abs(got - expert), qid, kind, expert, got, text))
            errors.append(abs(got - expert))
            if kind in WRONG_KINDS:
                wrong.append(got)
                if kind != "offtopic":
                    only_wrong.append(got)
                best_wrong = max(best_wrong, got)
            elif kind in GOOD_KINDS:
                good.append(got)
                best_good = max(best_good, got)
        if best_wrong >= 0 and best_good >= 0 and best_wrong >= best_good:
            tied.append(qid)
    rows.sort(reverse=True)
    return {
        "answers": len(errors),
        "wrong_mean": sum(wrong) / len(wrong) if wrong else 0.0,
        "wrong_only_mean": sum(only_wrong) / len(only_wrong) if only_wrong else 0.0,
        "wrong_ge_06": sum(1 for s in wrong if s >= 0.6),
        "wrong_full": sum(1 for s in wrong if s >= 1 - 1e-9),
        "wrong_n": len(wrong),
        "good_lt_06": sum(1 for s in good if s < 0.6),
        "good_n": len(good),
        "mae": sum(errors) / len(errors) if errors else 0.0,
        "best_wrong_ge_best_good": tied,
        "worst": rows[:15],
    }
