"""The Gradescope autograder, run the way Gradescope runs it: setup.sh once, run_autograder per submission."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from quizkit.grading.exercises import load_exercise

REDTEAM = Path(__file__).with_name("redteam")
SIGMOID = load_exercise("sigmoid")


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "quizkit", "exercise", "export", "sigmoid", "--format",
                           "gradescope", "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def _tree(tmp_path: Path, autograder: Path, submission: Path | None, name: str = "sigmoid.py") -> Path:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(autograder) as zf:
        zf.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    (root / "submission").mkdir()
    if submission is not None:
        (root / "submission" / name).write_text(submission.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def _run(root: Path, python: str = sys.executable) -> dict:
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), QUIZKIT_PYTHON=python, QUIZKIT_HOME=str(root / "home"))
    done = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_zip_has_the_scripts_at_its_root_and_the_lock(autograder):
    names = zipfile.ZipFile(autograder).namelist()
    assert {"setup.sh", "run_autograder", "requirements.lock"} <= set(names)
    assert any(n.startswith("quizkit-") and n.endswith(".whl") for n in names)
    lock = zipfile.ZipFile(autograder).read("requirements.lock").decode()
    assert "torch==2.13.0+cpu" in lock


def test_reference_gets_full_marks_and_a_cheat_does_not(tmp_path, autograder):
    full = _run(_tree(tmp_path / "a", autograder, Path(SIGMOID.reference)))
    assert full["score"] == 10 and len(full["tests"]) >= 5
    assert all(t["status"] == "passed" for t in full["tests"])
    cheat = _run(_tree(tmp_path / "b", autograder, REDTEAM / "write_results.py"))
    assert cheat["score"] < 10, cheat


def test_a_differently_named_single_file_is_graded_and_none_is_explained(tmp_path, autograder):
    renamed = _run(_tree(tmp_path / "a", autograder, Path(SIGMOID.reference), name="my_sigmoid.py"))
    assert renamed["score"] == 10
    empty = _run(_tree(tmp_path / "b", autograder, None))
    assert empty["score"] == 0 and "sigmoid.py" in empty["output"]


def test_setup_installs_the_wheel_with_the_locked_packages(tmp_path, autograder):
    """setup.sh in a fresh venv (the local CPU torch wheel stands in for PyTorch's index), then a real grade."""
    root = _tree(tmp_path, autograder, Path(SIGMOID.reference))
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    python = str(tmp_path / "venv" / "bin" / "python")
    env = dict(os.environ, QUIZKIT_PYTHON=python, QUIZKIT_TORCH_INDEX="")
    env.pop("QUIZKIT_CONTENT", None)
    done = subprocess.run([str(root / "source" / "setup.sh")], env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    freeze = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    assert "torch==2.13.0+cpu" in freeze.splitlines()
    assert any(line.startswith("quizkit") and ".whl" in line for line in freeze.splitlines()), freeze
    results = _run(root, python)
    assert results["score"] == 10
