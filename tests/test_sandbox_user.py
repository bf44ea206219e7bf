"""The OS boundary, graded for real: `quizkit grade` in a subprocess, as root and as an ordinary user.

As root, the "user" runs go through an unused uid (tests/ordinary_user.py): the same venv and interpreter,
reached through a private mount namespace, no copies. As an ordinary user there is one mode, the current user.
A private exercise with no forbidden-API list keeps the static scan out of the way, so every attack reaches
the OS layers. Each attack's answer() is right only if the attack worked; each positive control runs the same
attack with the layers that stop it switched off, and sees it work.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from ordinary_user import run_as, unused_uid

REDTEAM = Path(__file__).with_name("redteam")
QUIZKIT = str(Path(sys.executable).with_name("quizkit"))
LINUX = sys.platform == "linux"
pytestmark = pytest.mark.skipif(not LINUX, reason="the sandbox's OS layers are Linux-only")

TEST_FILE = '''
from quizkit.grading.testing import points


@points(1)
def test_answer(submission):
    assert submission.answer() == 42


@points(1)
def test_second(submission):
    assert submission.second() == 7
'''
EXERCISE_YAML = """id: boundary
title: {zh: 边界, en: Boundary}
topic: ml-basics
points: 2
limits: {call_seconds: 20, total_seconds: 40, processes: 4}
"""
REFERENCE = "def answer():\n    return 42\n\n\ndef second():\n    return 7\n"
MODES = ["root", "user"] if os.geteuid() == 0 else ["self"]


@dataclass
class Course:
    root: Path  # content root (exercises/, reference/), readable by everyone
    tmp: Path  # the grader's TMPDIR: its sandbox folders must be gone after each grade
    uid: int

    def home(self, who: str) -> Path:
        return self.root / f"home-{who}"


@pytest.fixture(scope="module")
def course():
    root = Path(tempfile.mkdtemp(prefix="quizkit-boundary-test-"))
    root.chmod(0o755)
    ex = root / "exercises" / "boundary"
    ex.mkdir(parents=True)
    (ex / "exercise.yaml").write_text(EXERCISE_YAML)
    (ex / "test_boundary.py").write_text(TEST_FILE)
    (root / "reference").mkdir()
    (root / "reference" / "boundary.py").write_text(REFERENCE)
    tmp = root / "tmp"
    tmp.mkdir()
    tmp.chmod(0o1777)
    uid = unused_uid() if "user" in MODES else os.getuid()
    for who in MODES:
        home = root / f"home-{who}"
        home.mkdir()
        if who == "user":
            os.chown(home, uid, uid)
    for p in root.rglob("*"):
        if p.is_dir() and p != tmp:
            p.chmod(0o755 if not p.name.startswith("home-") else 0o700)
        elif p.is_file():
            p.chmod(0o644)
    yield Course(root, tmp, uid)
    shutil.rmtree(root, ignore_errors=True)


def _grade(course: Course, who: str, submission: Path, *, disable: str = "", timeout: float = 120) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(course.home(who)), "QUIZKIT_HOME": str(course.home(who) / "data"),
           "QUIZKIT_CONTENT": str(course.root), "LANG": "C.UTF-8", "TMPDIR": str(course.tmp),
           # The static scan would refuse these attacks (os, socket, open) before they run: this is about the OS.
           "QUIZKIT_SANDBOX_DISABLE": ",".join(filter(None, ["scan", disable]))}
    args = [QUIZKIT, "grade", "boundary", str(submission), "--format", "json"]
    if who == "user":
        proc = run_as(course.uid, args, env=env, cwd=str(course.root), timeout=timeout)
    else:
        proc = subprocess.run(args, env=env, cwd=str(course.root), timeout=timeout, capture_output=True, text=True,
                              check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def _submission(course: Course, name: str, token: str, **subs: str) -> Path:
    text = (REDTEAM / name).read_text(encoding="utf-8").replace("__TOKEN__", token)
    for key, value in subs.items():
        text = text.replace(f"__{key}__", value)
    path = course.root / f"{token}-{name}"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


def _status(report: dict) -> dict[str, str]:
    return {t["name"]: t["status"] for t in report["tests"]}


def _processes_named(token: str, *, cmdline: bool = True) -> list[int]:
    """Processes with a thread named after the token (comm), or (cmdline=True) the token on their command line."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            names = [Path(f"/proc/{entry}/task/{t}/comm").read_text() for t in os.listdir(f"/proc/{entry}/task")]
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if any(token[:10] in n for n in names) or (cmdline and token.encode() in command):
            found.append(int(entry))
    return found


def _files_named(course: Course, token: str) -> list[str]:
    places = [Path("/tmp"), course.tmp, *[course.home(w) for w in MODES]]
    return [str(p) for place in places for p in place.glob(f"*snoop*{token}*")]


def _assert_nothing_left(course: Course, token: str) -> None:
    deadline = time.monotonic() + 2.0  # the kernel may still be tearing a namespace down
    while _processes_named(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_named(token) == []
    assert _files_named(course, token) == []
    assert [p.name for p in course.tmp.iterdir()] == []


# -- the honest path --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", MODES)
def test_reference_gets_full_marks_with_every_layer(course, who):
    report = _grade(course, who, course.root / "reference" / "boundary.py")
    assert (report["score"], report["max_score"]) == (2, 2), report
    assert {"process", "rlimits", "env"} <= set(report["isolation"])
    if who != "self" or os.geteuid() == 0:  # this machine gives namespaces to root and to the test's user
        assert report["isolation_missing"] == [], report["isolation"]
    assert [p.name for p in course.tmp.iterdir()] == []


# -- attacks ----------------------------------------------------------------------------------------------------
class _Listeners:
    """A unix stream socket and a TCP port on 127.0.0.1 that record whether anything connected."""

    def __init__(self, course: Course, token: str) -> None:
        self.unix_path = str(course.root / f"sock-{token}")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        for s in (self.unix, self.tcp):
            s.listen(8)
        for s in (self.unix, self.tcp, self.udp):
            s.setblocking(False)

    def reached(self) -> list[str]:
        hits = []
        for name, s in (("unix", self.unix), ("tcp", self.tcp)):
            try:
                conn, _ = s.accept()
                conn.close()
                hits.append(name)
            except BlockingIOError:
                pass
        try:
            self.udp.recv(100)
            hits.append("udp")
        except BlockingIOError:
            pass
        return hits

    def close(self) -> None:
        for s in (self.unix, self.tcp, self.udp):
            s.close()
        os.unlink(self.unix_path)


def _snoop_setup(course: Course, who: str, token: str) -> tuple[Path, _Listeners, Path]:
    canary = Path(f"/tmp/quizkit-canary-{token}")
    canary.write_text(token)
    canary.chmod(0o644)
    home = course.home(who)
    (home / f"canary-{token}").write_text(token)
    os.chmod(home / f"canary-{token}", 0o644)
    if who == "user":
        os.chown(home / f"canary-{token}", course.uid, course.uid)
    listeners = _Listeners(course, token)
    sub = _submission(course, "snoop.py", token, TMP_CANARY=str(canary), HOME_CANARY=str(home / f"canary-{token}"),
                      HOME=str(home), SOCKET=listeners.unix_path, PORT=str(listeners.port))
    return sub, listeners, canary


class _Decoy:
    """A path-named SEQPACKET socket that answers "spawned" like the old zygote: is it reachable?"""

    def __init__(self, course: Course, token: str) -> None:
        self.path = str(course.root / f"zygote-{token}.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)
        self.sock.listen(8)
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
                data = conn.recv(1 << 16)
                self.requests.append(data)
                conn.send(b'{"op": "spawned", "pid": 1}')
                conn.close()
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        os.unlink(self.path)


@pytest.mark.parametrize("who", MODES)
def test_zygote_cannot_be_reached_or_asked_to_drop_layers(course, who):
    token = secrets.token_hex(6)
    decoy = _Decoy(course, token)
    try:
        report = _grade(course, who, _submission(course, "zygote_escape.py", token))
    finally:
        decoy.close()
    assert _status(report)["test_answer"] == "failed" and report["score"] < report["max_score"]
    assert decoy.requests == []  # not even a path-named socket on the host is reachable
    _assert_nothing_left(course, token)


def test_positive_control_zygote_escape_works_when_the_layers_are_off(course):
    token = secrets.token_hex(6)
    decoy = _Decoy(course, token)
    try:
        report = _grade(course, MODES[0], _submission(course, "zygote_escape.py", token),
                        disable="pid,net,mount,landlock,seccomp")
    finally:
        decoy.close()
    assert _status(report)["test_answer"] == "passed"
    assert any(token.encode() in r for r in decoy.requests)


@pytest.mark.parametrize("who", MODES)
def test_snooping_outside_the_work_folder_finds_nothing(course, who):
    token = secrets.token_hex(6)
    sub, listeners, canary = _snoop_setup(course, who, token)
    try:
        report = _grade(course, who, sub)
        reached = listeners.reached()
    finally:
        listeners.close()
        canary.unlink()
    assert _status(report)["test_answer"] == "failed" and report["score"] < report["max_score"]
    assert reached == []
    _assert_nothing_left(course, token)


def test_positive_control_snooping_works_when_the_layers_are_off(course):
    token = secrets.token_hex(6)
    sub, listeners, canary = _snoop_setup(course, MODES[0], token)
    try:
        report = _grade(course, MODES[0], sub, disable="net,mount,landlock,seccomp")
        reached = listeners.reached()
    finally:
        listeners.close()
        canary.unlink()
        for leftover in _files_named(course, token):
            os.unlink(leftover)
    assert _status(report)["test_answer"] == "passed"
    assert "tcp" in reached and "unix" in reached


@pytest.mark.parametrize("who", MODES)
@pytest.mark.parametrize("name", ["lingering_setsid.py", "zombie_leader.py"])
def test_nothing_the_submission_started_outlives_its_grade(course, who, name):
    token = secrets.token_hex(6)
    report = _grade(course, who, _submission(course, name, token))
    assert _status(report)["test_answer"] == "passed"  # the straggler was alive while the tests ran
    assert report["score"] < report["max_score"]
    _assert_nothing_left(course, token)


@pytest.mark.parametrize("name", ["lingering_setsid.py", "zombie_leader.py"])
def test_positive_control_stragglers_survive_without_pid_namespace_and_reaper(course, name):
    token = secrets.token_hex(6)
    report = _grade(course, MODES[0], _submission(course, name, token), disable="pid,reaper,uid")
    assert _status(report)["test_answer"] == "passed"
    survivors = _processes_named(token)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors, "without the layers the straggler should have outlived the grade"


@pytest.mark.parametrize("who", MODES)
def test_without_namespaces_the_subreaper_still_cleans_up(course, who):
    token = secrets.token_hex(6)
    report = _grade(course, who, _submission(course, "lingering_setsid.py", token), disable="pid")
    assert "subreaper" in report["isolation"] and "pid_namespace" in report["isolation_missing"]
    assert _status(report)["test_answer"] == "passed"
    _assert_nothing_left(course, token)


# -- the grader stopped from outside ------------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_grader_removes_its_children_and_folders(course, sig):
    token = secrets.token_hex(6)
    text = (REDTEAM / "lingering_setsid.py").read_text().replace("__TOKEN__", token)
    sub = course.root / f"{token}-hang.py"
    sub.write_text(text + "\n\ndef second():\n    import time\n    time.sleep(60)\n")
    sub.chmod(0o644)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(course.home(MODES[0])), "QUIZKIT_CONTENT": str(course.root),
           "QUIZKIT_HOME": str(course.home(MODES[0]) / "data"), "LANG": "C.UTF-8", "TMPDIR": str(course.tmp),
           "QUIZKIT_SANDBOX_DISABLE": "scan"}
    # A background shell starts us with SIGINT ignored, and a grader rightly keeps an inherited SIG_IGN.
    proc = subprocess.Popen([QUIZKIT, "grade", "boundary", str(sub), "--format", "json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
    try:
        deadline = time.monotonic() + 60
        while not _processes_named(token, cmdline=False) and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until the sleeper runs: the sandbox is up and a call is under way
        assert _processes_named(token, cmdline=False), "the sandbox never started"
        time.sleep(0.5)
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -sig  # it died of the signal, not with a partial report
    _assert_nothing_left(course, token)


# -- quizkit doctor and grade --require-isolation ---------------------------------------------------------------
def test_doctor_lists_the_layers_a_real_child_gets(monkeypatch):
    from click.testing import CliRunner

    from quizkit.cli import cli
    from quizkit.grading.sandbox import layers

    monkeypatch.delenv("QUIZKIT_SANDBOX_DISABLE", raising=False)
    full = CliRunner().invoke(cli, ["doctor", "--lang", "en"])
    assert "✓ " + layers.label(layers.PROCESS) in full.output
    if os.geteuid() == 0:  # this machine gives root every layer
        assert full.exit_code == 0 and "✗" not in full.output, full.output
    monkeypatch.setenv("QUIZKIT_SANDBOX_DISABLE", "landlock,seccomp")
    fewer = CliRunner().invoke(cli, ["doctor", "--lang", "en"])
    assert fewer.exit_code == 1
    assert f"✗ {layers.label(layers.LANDLOCK)}: switched off by QUIZKIT_SANDBOX_DISABLE" in fewer.output
    assert "✓ " + layers.label(layers.LANDLOCK) not in fewer.output
    zh = CliRunner().invoke(cli, ["doctor", "--lang", "zh"])
    assert "被 QUIZKIT_SANDBOX_DISABLE 关闭" in zh.output


def test_require_isolation_refuses_with_one_line_and_exit_1(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from quizkit.cli import cli
    from quizkit.grading.exercises import load_exercise

    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path))
    ref = str(load_exercise("sigmoid").reference)
    monkeypatch.setenv("QUIZKIT_SANDBOX_DISABLE", "seccomp")
    refused = CliRunner().invoke(cli, ["grade", "sigmoid", ref, "--require-isolation", "--lang", "en"])
    assert refused.exit_code == 1
    assert refused.output.strip().count("\n") == 0 and "refusing to grade" in refused.output and "seccomp" in refused.output
    graded = CliRunner().invoke(cli, ["grade", "sigmoid", ref, "--format", "json"])  # without the flag: graded
    assert graded.exit_code == 0 and json.loads(graded.output)["isolation_missing"] == ["seccomp"]
    if os.geteuid() == 0:
        monkeypatch.delenv("QUIZKIT_SANDBOX_DISABLE")
        strict = CliRunner().invoke(cli, ["grade", "sigmoid", ref, "--require-isolation", "--format", "json"])
        assert strict.exit_code == 0, strict.output


# -- a machine without namespaces (an ordinary user on Ubuntu 24.04): Landlock, seccomp and the subreaper hold ---
NO_NAMESPACES = "pid,net,mount"


@pytest.mark.parametrize("who", MODES)
def test_without_namespaces_snooping_and_escape_still_fail(course, who):
    token = secrets.token_hex(6)
    sub, listeners, canary = _snoop_setup(course, who, token)
    decoy = _Decoy(course, token)
    try:
        snoop = _grade(course, who, sub, disable=NO_NAMESPACES)
        escape = _grade(course, who, _submission(course, "zygote_escape.py", token), disable=NO_NAMESPACES)
        reached = listeners.reached()
    finally:
        listeners.close()
        decoy.close()
        canary.unlink()
    assert {"landlock", "seccomp", "subreaper"} <= set(snoop["isolation"])
    assert _status(snoop)["test_answer"] == "failed" and _status(escape)["test_answer"] == "failed"
    assert reached == [] and decoy.requests == []
    _assert_nothing_left(course, token)
