"""The embedded cluster's warm start (sandbox/prefork.py): workers forked from one forkserver that imported
torch, each given a zygote forked before it ran anything, and every other process spawning a fresh zygote.

Real processes throughout: grade_all's own forkserver, real forks, a real sandboxed grade."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from procs import children, running

from quizkit.cli import cli
from quizkit.grading.batch import _forkserver
from quizkit.paths import exercises_dir, reference_dir

REFERENCE = reference_dir() / "sigmoid.py"
ROOT = Path(__file__).resolve().parent.parent


def _ppid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


def _threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return int(next(line for line in fh if line.startswith("Threads:")).split()[1])


def _worker_probe(out: str, reference: str) -> None:
    """What a forked worker finds: run in a forkserver child, as a dask worker is."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.runner import Grader
    from quizkit.grading.sandbox import zygote

    secret = (str(exercises_dir()), str(reference_dir()))
    before = sorted(name for name, mod in list(sys.modules.items())
                    if name.startswith("quizkit_reference") or str(getattr(mod, "__file__", "")).startswith(secret))
    report = Grader(load_exercise("sigmoid")).grade(reference)
    (z,) = zygote._zygotes.values()
    Path(out).write_text(json.dumps({
        "score": report.score, "max": report.max_score, "isolation": report.isolation,
        "zygote_parent": _ppid(z.pid), "me": os.getpid(), "zygote_threads": _threads(z.pid),
        "zygote_cmdline": Path(f"/proc/{z.pid}/cmdline").read_bytes().decode(errors="replace"),
        "secret_modules_before_grading": before}))


def test_a_forked_worker_grades_with_the_zygote_it_was_given(tmp_path):
    out = tmp_path / "probe.json"
    with _forkserver():
        proc = multiprocessing.get_context("forkserver").Process(target=_worker_probe,
                                                                 args=(str(out), str(REFERENCE)))
        proc.start()
        proc.join(120)
        assert proc.exitcode == 0
    got = json.loads(out.read_text())
    assert got["score"] == got["max"] > 0
    assert got["zygote_parent"] == got["me"]  # forked by the worker itself, not spawned
    assert "-I" not in got["zygote_cmdline"].split("\0")  # the fresh spawn would be `python -I -c ...`
    assert got["zygote_threads"] == 1
    assert got["secret_modules_before_grading"] == []
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.runner import Grader

    spawned = Grader(load_exercise("sigmoid")).grade(REFERENCE)  # this process: a fresh `python -I` zygote
    assert got["isolation"] == spawned.isolation and "seccomp" in spawned.isolation


# Forked after torch's import, as a forkserver's child is (torch's import starts a native thread, which a fork
# leaves behind); "threaded" starts a thread of its own in the child before the hook runs.
_HOOK = """
import os, signal, sys, threading, time
from quizkit.grading.sandbox import prefork
pid = os.fork()
if pid == 0:
    if sys.argv[1] == "threaded":
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    prefork._fork_zygote(None)
    got = prefork.take()
    print("given" if got else "none", flush=True)
    if got:
        os.kill(got[0], signal.SIGKILL)
        os.waitpid(got[0], 0)
    os._exit(0)
os.waitpid(pid, 0)
"""


@pytest.mark.parametrize("kind, expected", [("threaded", "none"), ("single", "given")])
def test_a_process_with_a_second_thread_is_given_no_zygote(kind, expected):
    """The zygote is forked only from a single-threaded process; the single-threaded run is the positive control
    (the same hook does fork one there)."""
    result = subprocess.run([sys.executable, "-c", _HOOK, kind], capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.stdout.strip() == expected, result.stderr


def test_each_batch_forks_from_the_environment_of_its_own_start(tmp_path, monkeypatch):
    """The forkserver ends with its batch: a second batch in the same process does not inherit the first one's
    environment. Here the first switches the static scan off, so `import sys` is caught only at run time."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "kim.py").write_text("import sys\nsys.exit(0)\n")
    (folder / "lee.py").write_text(REFERENCE.read_text())
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    reasons = []
    for disable in ("scan", ""):
        monkeypatch.setenv("QUIZKIT_SANDBOX_DISABLE", disable)
        out = tmp_path / f"results-{disable or 'all'}.csv"
        result = CliRunner().invoke(cli, ["grade-batch", "sigmoid", str(folder), "--jobs", "2", "--output", str(out)])
        assert result.exit_code == 0, result.output
        row = next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("kim,"))
        reasons.append(row.split(",")[10])
    assert reasons == ["import_crash", "forbidden"]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def test_an_embedded_worker_killed_mid_batch_is_replaced_and_nothing_outlives_the_batch(tmp_path):
    """SIGKILL one forked worker while it grades: the nanny forks a new one from the same forkserver, every
    student is graded once, and when the command ends no process it started (the killed worker's zygote
    included) is left."""
    slow = "_busy = sum(range(10_000_000))\n" + REFERENCE.read_text()
    folder = tmp_path / "class"
    folder.mkdir()
    names = [f"s{i}" for i in range(8)]
    for name in names:
        (folder / f"{name}.py").write_text(slow)
    out = tmp_path / "results.csv"
    env = {**os.environ, "QUIZKIT_HOME": str(tmp_path / "home"), "LANG": "en_US.UTF-8", "LC_ALL": ""}
    proc = subprocess.Popen([sys.executable, "-m", "quizkit", "grade-batch", "sigmoid", str(folder), "--jobs", "2",
                             "--output", str(out)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 180
        victim = None
        while victim is None and proc.poll() is None and time.monotonic() < deadline:
            servers = [c for c in children(proc.pid) if "multiprocessing.forkserver" in _cmdline(c)]
            workers = [w for s in servers for w in children(s)]
            seen |= set(workers) | {z for w in workers for z in children(w)}
            if out.is_file() and out.read_text(encoding="utf-8").count("\n") >= 2 and workers:
                victim = workers[0]
                seen |= set(children(victim))
                os.kill(victim, signal.SIGKILL)
            time.sleep(0.05)
        assert victim is not None, "no worker was seen grading"
        output, _ = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, output
    rows = [line.split(",") for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert sorted(r[0] for r in rows) == names and {r[5] for r in rows} == {"1"}
    deadline = time.monotonic() + 10
    while any(running(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in seen if running(p)] == []


_SCRUB = """
import sys, tempfile, pathlib
from quizkit.grading.sandbox.scrub import scrub_memory
secret = pathlib.Path(tempfile.mkdtemp())
(secret / "answers_mod.py").write_text("def answer():\\n    return 42\\n")
sys.path.insert(0, str(secret))
import answers_mod
kept = answers_mod.answer  # held outside sys.modules too
if sys.argv[1] == "scrub":
    scrub_memory([str(secret)])
print("answers_mod" in sys.modules, kept())
"""


@pytest.mark.parametrize("kind, expected", [("scrub", "False None"), ("control", "True 42")])
def test_the_zygote_forgets_a_secret_module_and_what_it_left_behind(kind, expected):
    """A module from a secret folder is dropped and its functions emptied, even one held elsewhere; the control
    (no scrub) still answers 42."""
    result = subprocess.run([sys.executable, "-c", _SCRUB, kind], capture_output=True, text=True, timeout=60,
                            cwd=ROOT)
    assert result.stdout.strip() == expected, result.stderr


_PLANT = """import pathlib
pathlib.Path(__file__).with_name("hijacked-" + __name__).write_text("ran")
raise ImportError("planted")
"""


def test_students_files_in_the_current_folder_shadow_no_module(tmp_path):
    """`python -m quizkit grade-batch . --jobs 2` run inside the class folder: a student's torch.py or numpy.py
    there is never imported, by the command, its forkserver, workers or zygotes. The control shows the planted
    files do run when the folder is on the path."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("torch", "numpy", "dask"):
        (folder / f"{name}.py").write_text(_PLANT)
    (folder / "lee.py").write_text(REFERENCE.read_text())
    (folder / "kim.py").write_text(REFERENCE.read_text())
    out = tmp_path / "results.csv"
    env = {**os.environ, "QUIZKIT_HOME": str(tmp_path / "home"), "LANG": "en_US.UTF-8", "LC_ALL": ""}
    result = subprocess.run([sys.executable, "-m", "quizkit", "grade-batch", "sigmoid", ".", "--jobs", "2",
                             "--output", str(out)], cwd=folder, env=env, capture_output=True, text=True, timeout=300)
    assert sorted(folder.glob("hijacked-*")) == [], result.stdout + result.stderr
    rows = {line.split(",")[0]: line.split(",")[5] for line in out.read_text(encoding="utf-8").splitlines()[1:]}
    assert rows["lee"] == rows["kim"] == "1", result.stdout + result.stderr
    control = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, ''); import numpy"], cwd=folder,
                             capture_output=True, text=True, timeout=60)
    assert "planted" in control.stderr and (folder / "hijacked-numpy").is_file()


_AUTHKEY = """
import multiprocessing, os, sys, time
from quizkit.grading.sandbox import boot, prefork

def boot_main(fd):  # what the zygote would run, reporting what it holds instead
    with open(sys.argv[1], "w") as fh:
        fh.write(multiprocessing.current_process().authkey.hex())
    os._exit(0)

boot.main = boot_main
pid = os.fork()
if pid == 0:
    prefork._fork_zygote(None)
    got = prefork.take()
    os.waitpid(got[0], 0)
    print(multiprocessing.current_process().authkey.hex(), flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_the_zygote_does_not_keep_the_clients_multiprocessing_key(tmp_path):
    """A forkserver child carries the client's multiprocessing authkey; the zygote forked from it (and so every
    sandboxed child) gets a fresh one."""
    seen = tmp_path / "zygote-key"
    result = subprocess.run([sys.executable, "-c", _AUTHKEY, str(seen)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    worker_key = result.stdout.strip()
    assert len(worker_key) == 64 and seen.is_file(), result.stderr
    assert seen.read_text() != worker_key and len(seen.read_text()) == 64
