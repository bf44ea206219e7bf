"""Every command that writes a file turns an OSError into `path: what went wrong`, exit 1, never a traceback."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizkit.cli import cli
from quizkit.grading.exercises import load_exercise

SIGMOID = load_exercise("sigmoid")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))


@contextlib.contextmanager
def read_only(folder: Path):
    """A folder nobody can create files in, root included (root ignores mode bits, not the immutable flag)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("no immutable flag on this file system, and root ignores mode bits")
        try:
            yield folder
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def _batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "sigmoid.py").write_text(Path(SIGMOID.reference).read_text(encoding="utf-8"))
    return folder


# (name, command line given the target file path and tmp_path)
COMMANDS = {
    "exercise start": lambda target, tmp: ["exercise", "start", "sigmoid", "--dir", str(target.parent)],
    "bank new": lambda target, tmp: ["bank", "new", str(target)],
    "grade --output": lambda target, tmp: ["grade", "sigmoid", str(SIGMOID.reference), "--output", str(target)],
    "grade-batch --output": lambda target, tmp: ["grade-batch", "sigmoid", str(_batch_folder(tmp)),
                                                  "--output", str(target)],
}


def _check(result, target: Path, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    lines = [ln for ln in result.output.splitlines() if str(target) in ln]
    assert lines and lines[-1] == f"Error: {target}: {words}", result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_read_only_folder(tmp_path, name):
    with read_only(tmp_path / "locked") as folder:
        target = folder / ("sigmoid.py" if name == "exercise start" else "out.csv" if "batch" in name
                           else "out.json" if "grade" in name else "bank.yaml")
        result = CliRunner().invoke(cli, COMMANDS[name](target, tmp_path))
        words = "operation not permitted (read-only or protected)" if os.geteuid() == 0 else "permission denied"
        _check(result, target, words)
        assert not any(folder.iterdir()), "nothing half-written is left behind"


@pytest.mark.parametrize("name", ["grade --output", "grade-batch --output"])
def test_missing_folder(tmp_path, name):
    target = tmp_path / "no-such-folder" / ("out.csv" if "batch" in name else "out.json")
    result = CliRunner().invoke(cli, COMMANDS[name](target, tmp_path))
    _check(result, target, "no such file or folder")


@pytest.mark.parametrize("name", ["exercise start", "bank new"])
def test_missing_folder_is_created(tmp_path, name):
    target = tmp_path / "new" / "deeper" / ("sigmoid.py" if name == "exercise start" else "bank.yaml")
    result = CliRunner().invoke(cli, COMMANDS[name](target, tmp_path))
    assert result.exit_code == 0, result.output
    assert target.is_file() and target.stat().st_size > 0


def test_a_path_through_a_file_is_one_line(tmp_path):
    """The general handler: any OSError on a user's path, here a 'folder' that is a file."""
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    target = blocker / "sub" / "bank.yaml"
    result = CliRunner().invoke(cli, ["bank", "new", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert str(blocker) in result.output and result.output.count("\n") == 1, result.output
    assert not target.exists()
