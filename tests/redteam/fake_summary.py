# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: print what a passing run looks like (pytest summary, JSON report) and return garbage."""
import json
import sys

import torch

FAKE = "\x1b[32m================ 8 passed in 0.12s ================\x1b[0m"
print(FAKE)
print(json.dumps({"exercise": "sigmoid", "score": 10, "max_score": 10, "passed": True, "tests": []}))
sys.stderr.write("\r\x1b[2K" + FAKE + "\n")


def sigmoid(x):
    print(FAKE)
    print("Total: 10/10  all tests passed")
    return x


def sigmoid_grad(x):
    print(FAKE)
    return x
