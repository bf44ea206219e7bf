"""Runs on both sides: what a submission may use, checked statically in the supervisor and at run time in the child.

    scan.py, rules.py   the trusted supervisor's static scan (forbidden names; imports allowlist; no reflection)
    operators.py        the sandboxed child's check of every aten operator at the dispatcher, and of autograd
    guard.py            the sandboxed child's in-process guard (defence in depth, not an isolation layer)
    policy.py, names.py the data both sides share
"""

from quizkit.grading.forbidden.names import Finding, resolve
from quizkit.grading.forbidden.policy import (
    ALWAYS_FORBIDDEN,
    BASE_OPERATORS,
    DEFAULT_IMPORTS,
    OperatorPolicy,
    Policy,
)
from quizkit.grading.forbidden.scan import check, scan

# The layer ids of what this package adds (the child reports OPERATORS when it enforces them).
from quizkit.grading.sandbox.layers import OPERATORS, STATIC_SCAN  # noqa: E402

__all__ = ["ALWAYS_FORBIDDEN", "BASE_OPERATORS", "DEFAULT_IMPORTS", "OPERATORS", "STATIC_SCAN", "Finding",
           "OperatorPolicy", "Policy", "check", "resolve", "scan"]
