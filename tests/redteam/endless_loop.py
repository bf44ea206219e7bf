# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: never return."""
import torch


def sigmoid(x):
    while True:
        pass


def sigmoid_grad(x):
    n = 0
    while True:
        n += 1
