# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: exit from inside the graded functions."""
import sys


def sigmoid(x):
    sys.exit(0)


def sigmoid_grad(x):
    raise SystemExit(0)
