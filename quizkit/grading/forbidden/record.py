"""Runs in the trusted supervisor: list the aten operators submissions run, to write an exercise's allowlist.

    python -m quizkit.grading.forbidden.record sigmoid reference/sigmoid.py tests/redteam/honest_*.py

grades each file with the exercise's operator check in recording mode (the child prints each operator outside
the allowlist instead of refusing it) and prints the ones that are not allowed yet, one per line. Everything
else (sandbox, limits, static scan) stays as in a real grade.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from quizkit.grading.exercises import Exercise, load_exercise
from quizkit.grading.forbidden.policy import OperatorPolicy

_PREFIX = b"quizkit-operator "


def missing_operators(exercise: Exercise, paths: Iterable[Path]) -> dict[str, set[str]]:
    """For each file, the operators its grade ran that the exercise's allowlist (plus the base set) lacks."""
    from quizkit.grading.runner import Grader

    grader = Grader(exercise)
    policy = exercise.operators or OperatorPolicy()
    grader._operators = {**policy.to_wire(), "record": True}
    out: dict[str, set[str]] = {}
    for path in paths:
        grader.grade(path)
        raw = bytes(grader.last_session.output)
        out[str(path)] = {line[len(_PREFIX):].decode("ascii", "replace").strip()
                          for line in raw.splitlines() if line.startswith(_PREFIX)}
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    found = missing_operators(load_exercise(argv[0]), [Path(p) for p in argv[1:]])
    for path, ops in found.items():
        print(f"# {path}: {len(ops)}")
    for op in sorted(set().union(*found.values())):
        print(op)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
