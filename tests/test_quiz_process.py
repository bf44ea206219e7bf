"""Real processes: answers survive SIGKILL and Ctrl-C, and the quiz path never imports torch, numpy or sympy."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_quiz_support import BANK, write_bank

POLL_LIMIT = 60.0  # generous: only bounds a hung test, never measured


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("QUIZKIT_NOW", "LC_ALL", "LC_MESSAGES")}
    env.update(QUIZKIT_HOME=str(home), LANG="C", PYTHONIOENCODING="utf-8", NO_COLOR="1")
    return env


def _count(home: Path) -> int:
    db = home / "quizkit.db"
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0
    finally:
        conn.close()


def _wait_for(home: Path, n: int, proc: subprocess.Popen) -> None:
    end = time.monotonic() + POLL_LIMIT
    while _count(home) < n:
        assert proc.poll() is None, f"quizkit exited early with {proc.returncode}"
        assert time.monotonic() < end, f"only {_count(home)} of {n} answers reached the database"
        time.sleep(0.05)


def _start(home: Path, bank: Path) -> subprocess.Popen:
    # Five questions, options in written order, a fixed seed: the answers below are known in advance.
    return subprocess.Popen(
        [sys.executable, "-m", "quizkit", "quiz", "--bank", str(bank), "--type", "single", "--type", "multiple",
         "--type", "true_false", "--type", "numeric", "--type", "symbolic", "--seed", "5", "--no-shuffle",
         "--lang", "en"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(home),
    )


def _order(home: Path, bank: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "quizkit", "quiz", "--bank", str(bank), "--type", "single", "--type", "multiple",
         "--type", "true_false", "--type", "numeric", "--type", "symbolic", "--seed", "5", "--no-shuffle",
         "--lang", "en"],
        input=b"s\n" * 5, capture_output=True, env=_env(home / "dry"), check=True,  # skip all: see the order
    ).stdout.decode()
    return [line.split(" · ")[-1] for line in out.splitlines() if line.startswith("[")]


RIGHT = {"d-single": "a", "d-multi": "ab", "d-tf": "f", "d-num": "73856", "d-sym": "s*(1-s)"}
WRONG = {"d-single": "b", "d-multi": "c", "d-tf": "t", "d-num": "1", "d-sym": "s"}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_session_loses_nothing_answered(tmp_path):
    home, bank = tmp_path / "home", write_bank(tmp_path / "banks", BANK)
    order = _order(tmp_path, bank)
    assert len(order) == 5
    answers = [RIGHT[order[0]], WRONG[order[1]], RIGHT[order[2]]]
    proc = _start(home, bank)
    assert proc.stdin is not None
    for n, line in enumerate(answers, 1):
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        _wait_for(home, n, proc)
    proc.send_signal(signal.SIGKILL)  # while it waits for the fourth answer
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(home / "quizkit.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    got = conn.execute("SELECT question_id, score, rating FROM attempts ORDER BY id").fetchall()
    assert got == [(order[0], 1.0, 3), (order[1], 0.0, 1), (order[2], 1.0, 3)]
    cards = {r[0] for r in conn.execute("SELECT question_id FROM cards")}
    assert cards == set(order[:3])
    assert conn.execute("SELECT COUNT(*) FROM review_logs").fetchone()[0] == 3
    conn.close()
    # The next run opens the same database and carries on.
    out = subprocess.run([sys.executable, "-m", "quizkit", "stats", "--bank", str(bank), "--format", "json"],
                         capture_output=True, env=_env(home), check=True).stdout
    assert json.loads(out)["attempts"] == 3


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_shows_the_summary_and_keeps_answers(tmp_path):
    home, bank = tmp_path / "home", write_bank(tmp_path / "banks", BANK)
    order = _order(tmp_path, bank)
    proc = _start(home, bank)
    assert proc.stdin is not None
    proc.stdin.write(RIGHT[order[0]].encode() + b"\n")
    proc.stdin.flush()
    _wait_for(home, 1, proc)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate()
    assert proc.returncode == 130
    text = out.decode()
    assert "Interrupted; every answer so far is saved." in text
    assert "Summary  1 asked · 1 right" in text
    assert _count(home) == 1


CHECK_IMPORTS = """
import sys
sys.argv = ["quizkit", *sys.argv[1:]]
from quizkit.cli import main
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("torch", "numpy", "sympy") if m in sys.modules)
sys.__stderr__.write("HEAVY=" + ",".join(heavy) + "\\n")
"""


def _heavy(tmp_path: Path, qtype: str, answer: str) -> tuple[str, str]:
    bank = write_bank(tmp_path / "banks", BANK)
    proc = subprocess.run(
        [sys.executable, "-c", CHECK_IMPORTS, "quiz", "--bank", str(bank), "--type", qtype, "--count", "1",
         "--no-shuffle"],
        input=answer.encode() + b"\n", capture_output=True, env=_env(tmp_path / "home"), check=True,
    )
    err = proc.stderr.decode()
    line = next(ln for ln in err.splitlines() if ln.startswith("HEAVY="))
    return line.removeprefix("HEAVY="), proc.stdout.decode()


@pytest.mark.parametrize("qtype,answer", [("single", "a"), ("multiple", "ab"), ("true_false", "f"),
                                          ("numeric", "73856"), ("short_answer", "非线性")])
def test_quiz_path_imports_no_torch_numpy_or_sympy(tmp_path, qtype, answer):
    heavy, out = _heavy(tmp_path, qtype, answer)
    assert "Summary  1 asked" in out  # the answer really was scored
    assert heavy == ""


def test_sympy_is_imported_only_when_a_symbolic_answer_is_scored(tmp_path):
    heavy, out = _heavy(tmp_path, "symbolic", "s*(1-s)")
    assert "✓ Right" in out
    assert "sympy" in heavy.split(",")
