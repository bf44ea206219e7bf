"""`pip install .` carries the banks, exercises and references: an installed copy works outside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_installed_copy_has_the_content_and_runs_outside_the_repo(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(ROOT)], check=True, capture_output=True, env=dict(os.environ, PIP_NO_INDEX="1"))
    (wheel,) = wheels.glob("quizkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("quizkit/data/questions/activation.yaml", "quizkit/data/questions/quizkit-bank.schema.json",
                     "quizkit/data/exercises/sigmoid/exercise.yaml", "quizkit/data/reference/sigmoid.py",
                     "quizkit/bank/template.yaml"):
        assert expected in names
    assert not [n for n in names if "__pycache__" in n]

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, env=dict(os.environ, PIP_NO_INDEX="1"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "QUIZKIT_CONTENT"}
    env.update(PYTHONPATH=str(target), QUIZKIT_HOME=str(tmp_path / "home"))
    out = subprocess.run([sys.executable, "-m", "quizkit", "bank", "stats", "--format", "json"], cwd=elsewhere,
                         capture_output=True, text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert str(target) in out.stdout and '"total"' in out.stdout
    shown = subprocess.run([sys.executable, "-m", "quizkit", "exercise", "show", "sigmoid", "--lang", "en"],
                           cwd=elsewhere, capture_output=True, text=True, env=env, check=False)
    assert shown.returncode == 0 and "sigmoid_grad" in shown.stdout
