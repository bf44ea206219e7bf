# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: write a perfect results.json wherever a grader might look for one."""
import json
import os

import torch

PERFECT = {"score": 10, "max_score": 10, "passed": True, "tests": [
    {"name": "all", "score": 10, "max_score": 10, "status": "passed"}]}
WRITTEN = []
for folder in (os.getcwd(), os.environ.get("HOME", "/"), "/tmp", "/autograder/results", "/work/main",
               os.path.dirname(os.path.abspath(__file__)), "__TARGET_DIR__"):
    for name in ("results.json", "report.json"):
        try:
            with open(os.path.join(folder, name), "w") as fh:
                json.dump(PERFECT, fh)
            WRITTEN.append(os.path.join(folder, name))
        except OSError:
            pass


def sigmoid(x):
    return x


def sigmoid_grad(x):
    return x
