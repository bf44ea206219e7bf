"""Ctrl-C to a real `quizkit grade-batch` process: the results so far stay, the resume command is printed, exit 130,
and that command grades the rest, everyone exactly once."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from csv_rows import read_csv

from quizkit.paths import reference_dir

REFERENCE = reference_dir() / "sigmoid.py"
# Right, but slow to import: the interrupt lands while one of these is being graded.
SLOW = "_busy = sum(range(10_000_000))\n" + REFERENCE.read_text()  # (time.sleep is off the import allowlist)
STUDENTS = ["a", "slow1", "slow2", "slow3", "slow4", "slow5"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "QUIZKIT_HOME": str(tmp_path / "home"), "LANG": "en_US.UTF-8", "LC_ALL": "",
            "LC_MESSAGES": ""}


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


# to the process alone (`kill -INT`), or to its whole process group as a terminal's Ctrl-C does
@pytest.mark.parametrize(("jobs", "target"), [("1", "process"), ("2", "group")])
def test_ctrl_c_prints_the_resume_command_and_resume_grades_the_rest_once(tmp_path, jobs, target):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.py").write_text(REFERENCE.read_text())
    for name in STUDENTS[1:]:
        (folder / f"{name}.py").write_text(SLOW)
    out = tmp_path / "results.csv"
    cmd = ["grade-batch", "sigmoid", str(folder), "--output", str(out), "--jobs", jobs]
    proc = subprocess.Popen([sys.executable, "-m", "quizkit", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(tmp_path), cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while len(read_csv(out)) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
        deadline = time.monotonic() + 30
        while not _group_gone(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _group_gone(proc.pid), "grade-batch left processes behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if not _group_gone(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (stdout, stderr)
    kept = read_csv(out)
    assert 1 <= len(kept) < len(STUDENTS), kept
    # nobody half graded: the student being graded at Ctrl-C is dropped, not recorded with the tests run so far
    assert all(r["passed"] == "1" and r["tests_passed"] == r["tests_total"] == "8" for r in kept), kept
    assert f"Interrupted: {len(kept)} of {len(STUDENTS)} students are graded and saved in {out}." in stderr
    expected = shlex.join(["quizkit", *cmd[:-2], *(["--jobs", "2"] if jobs == "2" else []), "--resume"])
    assert f"\n  {expected}\n" in stderr, stderr
    assert "Aborted!" not in stderr + stdout and "Traceback" not in stderr

    printed = shlex.split(expected)
    again = subprocess.run([sys.executable, "-m", "quizkit", *printed[1:]], capture_output=True, text=True,
                           env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"Resuming: {len(kept)} already graded, {len(STUDENTS) - len(kept)} to go" in again.stderr
    final = read_csv(out)
    assert [r["student"] for r in final] == STUDENTS  # each exactly once, in order
    assert all(r["passed"] == "1" for r in final)
    assert [r for r in final if r["student"] in {k["student"] for k in kept}] == kept  # kept rows untouched
