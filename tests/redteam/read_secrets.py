# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: read the grading tests and the reference from disk and smuggle them out in an exception."""
import glob
import os

GUESSES = [os.environ.get("QK_TEST_PATH", ""), os.environ.get("QK_REF_PATH", ""),
           "/work/main/exercises/sigmoid/test_sigmoid.py", "/work/main/reference/sigmoid.py",
           "../reference/sigmoid.py", "../../reference/sigmoid.py", "exercises/sigmoid/test_sigmoid.py"]
GUESSES += glob.glob("/**/reference/sigmoid.py", recursive=False)
GUESSES += glob.glob("/*/*/reference/sigmoid.py") + glob.glob("/*/*/exercises/sigmoid/test_sigmoid.py")


def _loot():
    found = []
    for path in GUESSES + ["__TEST_PATH__", "__REF_PATH__"]:
        if not path:
            continue
        try:
            with open(path) as fh:
                found.append(fh.read())
        except OSError as err:
            found.append(f"{path}: {err}")
    return "\n".join(found)


def sigmoid(x):
    raise RuntimeError(_loot())


def sigmoid_grad(x):
    raise ValueError(_loot())
