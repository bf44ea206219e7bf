# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: hard-exit from inside the graded functions."""
import os


def sigmoid(x):
    os._exit(0)


def sigmoid_grad(x):
    os._exit(0)
