# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: rewrite the grading tests so that everything passes, and drop a file beside them."""
import os

TARGETS = ["__EXERCISE_DIR__", "/work/main/exercises/sigmoid"]
DONE = []
for folder in TARGETS:
    for name, text in (("test_sigmoid.py", "def test_nothing():\n    pass\n"), ("conftest.py", "x = 1\n"),
                       ("pwned.txt", "pwned\n")):
        try:
            with open(os.path.join(folder, name), "w") as fh:
                fh.write(text)
            DONE.append(name)
        except OSError:
            pass


def sigmoid(x):
    return x


def sigmoid_grad(x):
    return x
