"""requirements.lock, pyproject.toml and the venv agree: a fresh machine installs exactly what was tested."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import lockfile  # noqa: E402

LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"


def test_pyproject_lock_and_venv_agree():
    assert lockfile.problems(LOCK) == []


def test_torch_is_the_cpu_build_and_every_line_is_exact():
    pins = lockfile.read_lock(LOCK)
    assert pins["torch"] == "2.13.0+cpu"
    assert not any(name.startswith("nvidia-") for name in pins), "a CUDA build of torch crept into the lock"
    assert {"click", "pyyaml", "rich", "fsrs", "sympy", "numpy", "pytest", "pip", "setuptools"} <= set(pins)


@pytest.fixture
def copies(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(LOCK.read_text(encoding="utf-8"), encoding="utf-8")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(PYPROJECT.read_text(encoding="utf-8"), encoding="utf-8")
    return lock, pyproject


def test_a_dependency_missing_from_the_lock_is_found(copies):
    lock, pyproject = copies
    pyproject.write_text(pyproject.read_text().replace('"click>=8.1",', '"click>=8.1",\n  "ray>=2.0",'))
    assert any("requires ray>=2.0" in p and "does not pin it" in p for p in lockfile.problems(lock, pyproject))


def test_a_lock_entry_nothing_needs_is_found(copies):
    lock, pyproject = copies
    lock.write_text(lock.read_text() + "six==1.16.0\n")
    found = lockfile.problems(lock, pyproject)
    assert any("pins six, which nothing in pyproject.toml needs" in p for p in found), found
    assert any("the venv lacks six==1.16.0" in p for p in found), found


def test_a_venv_that_differs_from_the_lock_is_found(copies):
    lock, pyproject = copies
    text = lock.read_text()
    line = next(ln for ln in text.splitlines() if ln.lower().startswith("click=="))
    lock.write_text(text.replace(line, "click==0.1"))
    found = lockfile.problems(lock, pyproject)
    assert any(p.startswith("the venv has click==") and "the lock 0.1" in p for p in found), found
    assert any("outside pyproject.toml's click>=8.1" in p for p in found), found


def test_a_package_the_lock_drops_is_found(copies):
    lock, pyproject = copies
    lock.write_text("\n".join(ln for ln in lock.read_text().splitlines() if not ln.startswith("mpmath==")) + "\n")
    found = lockfile.problems(lock, pyproject)
    assert any("the venv has mpmath==" in p and "does not list" in p for p in found), found


def test_a_malformed_line_names_file_and_line(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# header\nclick>=8\n")
    with pytest.raises(ValueError, match=r"requirements.lock:2: expected name==version"):
        lockfile.read_lock(lock)
