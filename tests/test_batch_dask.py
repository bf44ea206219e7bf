"""`quizkit grade-batch --scheduler` on a real dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, started with the dask CLI as an instructor would, and stopped by the fixture whatever happens.

The workers run with the static scan switched off (QUIZKIT_SANDBOX_DISABLE=scan), and so does the embedded run
they are compared with: the attacks below must reach the sandbox at run time, not be refused by the scan."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from csv_rows import read_csv
from procs import children, running

from quizkit.cli import cli
from quizkit.paths import exercises_dir, reference_dir

DASK = Path(sys.executable).with_name("dask")
REFERENCE = reference_dir() / "sigmoid.py"
REDTEAM = Path(__file__).parent / "redteam"
SLOW = "_busy = sum(range(10_000_000))\n" + REFERENCE.read_text()  # right, but slow: a kill lands mid-task
CLASS = {
    "张三": REFERENCE.read_text(),
    "wrong": (exercises_dir() / "sigmoid" / "mutants" / "overflowing_exp_ratio.py").read_text(),
    "crasher": "import torch\nraise SystemExit(3)\n",
    "starter": (exercises_dir() / "sigmoid" / "starter.py").read_text(),
    **{f"slow{i}": SLOW for i in range(1, 5)},
}
# writes a perfect results.json into a folder the worker's user may write (the test's own tmp folder)
WRITE = """import torch

try:
    with open("__DIR__/results.json", "w") as fh:
        fh.write('{"score": 10, "max_score": 10, "passed": true}')
except OSError:
    pass


def sigmoid(x):
    return x


def sigmoid_grad(x):
    return x
"""
COMPARED = ("student", "score", "passed", "tests_passed", "tests_total", "reason")


@dataclass
class Cluster:
    address: str
    workers: list[subprocess.Popen]
    env: dict[str, str]


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "QUIZKIT_HOME": str(tmp / "home"), "LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": "",
            "QUIZKIT_SANDBOX_DISABLE": "scan"}


def _until(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group (a worker's zygote and sandboxes included), SIGKILL if that is not enough."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dask")
    env = _env(tmp)
    procs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        log = (tmp / f"dask-{len(procs)}.log").open("wb")
        proc = subprocess.Popen([str(DASK), *args], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp,
                                start_new_session=True)
        procs.append(proc)
        return proc

    try:
        info = tmp / "scheduler.json"
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info))
        _until(lambda: info.is_file() and info.stat().st_size > 0, 60, "the dask scheduler")
        address = json.loads(info.read_text())["address"]
        workers = [start("worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                         "--name", f"w{i}") for i in (1, 2)]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield Cluster(address, workers, env)
    finally:
        for proc in procs:
            _stop(proc)


def _write(folder: Path, students: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, source in students.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


def test_attacks_are_graded_in_the_sandbox_not_run_in_the_worker(cluster, tmp_path):
    """A submission that looks for the reference in its process's memory, or writes a file where the worker can
    write, gets a grade: its code never runs in the trusted worker."""
    canary = tmp_path / "canary"
    canary.mkdir()
    attacks = {"steal": (REDTEAM / "steal_from_memory.py").read_text(), "write": WRITE.replace("__DIR__", str(canary))}
    folder = _write(tmp_path / "class", attacks)
    out = tmp_path / "results.csv"
    done = subprocess.run([sys.executable, "-m", "quizkit", "grade-batch", "sigmoid", str(folder), "--output", str(out),
                           "--scheduler", cluster.address], capture_output=True, text=True, env=cluster.env,
                          cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = {r["student"]: r for r in read_csv(out)}
    assert set(rows) == {"steal", "write"}
    assert all(r["passed"] == "0" for r in rows.values()), rows
    assert list(canary.iterdir()) == []

    # Positive control: in a trusted process that holds the reference (as a worker does), both attacks work.
    spec = importlib.util.spec_from_file_location("quizkit_reference_sigmoid", REFERENCE)
    assert spec is not None and spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = reference
    try:
        spec.loader.exec_module(reference)
        namespace: dict = {"__name__": "submission"}
        exec(compile(attacks["steal"], "steal.py", "exec"), namespace)  # noqa: S102 - the control
        import torch

        x = torch.linspace(-5, 5, 11, dtype=torch.float64)
        assert torch.equal(namespace["sigmoid"](x), reference.sigmoid(x))
        exec(compile(attacks["write"], "write.py", "exec"), {"__name__": "submission"})  # noqa: S102
        assert (canary / "results.json").is_file()
    finally:
        del sys.modules[spec.name]


def test_a_worker_killed_mid_run_loses_nobody_and_scores_match_the_embedded_cluster(cluster, tmp_path):
    folder = _write(tmp_path / "class", CLASS)
    out = tmp_path / "cluster.csv"
    victim = cluster.workers[0]
    proc = subprocess.Popen([sys.executable, "-m", "quizkit", "grade-batch", "sigmoid", str(folder), "--output",
                             str(out), "--scheduler", cluster.address], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cluster.env, cwd=tmp_path)
    try:
        _until(lambda: len(read_csv(out)) >= 1 or proc.poll() is not None, 240, "the first result")
        assert proc.poll() is None, proc.communicate()
        zygotes = children(victim.pid)
        assert zygotes, "the worker should have a warm sandbox zygote"
        os.kill(victim.pid, signal.SIGKILL)  # the worker dies with a task under way
        victim.wait(timeout=30)
        kept_at_kill = len(read_csv(out))
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    assert kept_at_kill < len(CLASS)
    _until(lambda: not any(running(pid) for pid in zygotes), 15, "the dead worker's zygote to go")
    rows = read_csv(out)
    names = [r["student"] for r in rows]
    assert sorted(names) == sorted(CLASS) and len(names) == len(set(names))  # each exactly once
    assert f"{len(CLASS)} students graded" in stdout
    assert f"Grading on 2 dask worker(s) ({cluster.address})" in stderr
    by_name = {r["student"]: r for r in rows}
    assert by_name["张三"]["passed"] == "1" and by_name["slow3"]["passed"] == "1"
    assert by_name["crasher"]["reason"] == "import_crash" and by_name["wrong"]["reason"] == "wrong"

    embedded = tmp_path / "embedded.csv"
    result = CliRunner(env=cluster.env).invoke(cli, ["grade-batch", "sigmoid", str(folder), "--output", str(embedded),
                                                     "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert [{k: r[k] for k in COMPARED} for r in read_csv(embedded)] == [{k: r[k] for k in COMPARED} for r in rows]


@pytest.mark.parametrize(("args", "message"), [
    (["--scheduler", "127.0.0.1:8786"], "expected tcp://HOST:PORT or tls://HOST:PORT"),
    (["--scheduler", "tls://127.0.0.1:8786"], "tls:// needs --tls-ca-file, --tls-cert and --tls-key"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2"], "with --scheduler the cluster's workers grade"),
    (["--tls-ca-file", "x.pem"], "--tls-ca-file, --tls-cert and --tls-key go together"),
])
def test_cluster_options_are_checked_in_one_line(tmp_path, args, message):
    folder = _write(tmp_path / "class", {"a": REFERENCE.read_text()})
    result = CliRunner().invoke(cli, ["grade-batch", "sigmoid", str(folder), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_scheduler_nobody_answers_is_one_line_and_exit_1(tmp_path, monkeypatch):
    import socket

    from quizkit.grading import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 3.0)  # a real failed connection, just a shorter wait
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = _write(tmp_path / "class", {"a": REFERENCE.read_text()})
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(cli, ["grade-batch", "sigmoid", str(folder), "--output", str(out),
                                      "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == 1, result.output
    assert f"cannot reach the dask scheduler at tcp://127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_only_the_submissions_bytes_go_out_and_only_json_text_comes_back(cluster, tmp_path, monkeypatch):
    """Every task the client submits carries str and bytes only (the file's bytes among them), and returns str."""
    from contextlib import contextmanager

    from quizkit.grading import cluster as qc

    sent: list[tuple] = []
    returned: list[object] = []
    real = qc.open_client

    @contextmanager
    def recording(*args, **kwargs):  # the real client, with its submit recorded on the way through
        with real(*args, **kwargs) as client:
            submit = client.submit

            def record(fn, *task_args, **options):
                sent.append((fn, task_args))
                future = submit(fn, *task_args, **options)
                future.add_done_callback(lambda f: returned.append(f.result()))
                return future

            client.submit = record
            yield client

    monkeypatch.setattr(qc, "open_client", recording)
    students = {"张三": REFERENCE.read_text(), "wrong": CLASS["wrong"]}
    folder = _write(tmp_path / "class", students)
    out = tmp_path / "r.json"
    result = CliRunner(env=cluster.env).invoke(cli, ["grade-batch", "sigmoid", str(folder), "--output", str(out),
                                                     "--scheduler", cluster.address])
    assert result.exit_code == 0, result.output
    graded = {r["student"]: r["passed"] for r in json.loads(out.read_text())["students"]}
    assert graded == {"张三": True, "wrong": False}
    assert len(sent) == len(students)
    for fn, task_args in sent:
        assert fn is qc.grade_task
        assert all(type(a) in (str, bytes) for a in task_args), [type(a) for a in task_args]
    assert sorted(a for _, args in sent for a in args if type(a) is bytes) == \
        sorted(s.encode() for s in students.values())
    _until(lambda: len(returned) == len(students), 30, "the results")
    assert all(type(r) is str and "report" in json.loads(r) for r in returned)


def _certificates(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA of its own and one certificate it signed (for every role), made with the openssl CLI."""
    folder.mkdir()
    ca, ca_key, cert, key, csr = (folder / f for f in ("ca.pem", "ca.key", "cert.pem", "cert.key", "cert.csr"))

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca), "-days", "2",
            "-subj", f"/CN={name} CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-out",
            str(cert), "-days", "2")
    return ca, cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI to make certificates")
def test_a_tls_cluster_grades_and_refuses_a_certificate_it_did_not_sign(tmp_path, monkeypatch):
    """A `tls://` scheduler and worker started with the dask CLI: grade-batch grades through them with the
    course's certificates. The control: a client whose certificate another CA signed is refused, in one line."""
    from quizkit.grading import cluster as cluster_module

    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT_S", 5.0)
    ca, cert, key = _certificates(tmp_path / "course", "course")
    tls = ["--tls-ca-file", str(ca), "--tls-cert", str(cert), "--tls-key", str(key)]
    env = _env(tmp_path)
    procs: list[subprocess.Popen] = []
    try:
        info = tmp_path / "scheduler.json"
        procs.append(subprocess.Popen([str(DASK), "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port",
                                       "0", "--no-dashboard", "--scheduler-file", str(info), *tls],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                      cwd=tmp_path, start_new_session=True))
        _until(lambda: info.is_file() and info.stat().st_size > 0, 60, "the tls dask scheduler")
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tls://127.0.0.1:")
        procs.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-nanny",
                                       "--no-dashboard", "--host", "127.0.0.1", *tls],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                      cwd=tmp_path, start_new_session=True))
        folder = _write(tmp_path / "class", {"张三": REFERENCE.read_text(), "wrong": CLASS["wrong"]})
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        out = tmp_path / "tls.csv"
        result = CliRunner().invoke(cli, ["grade-batch", "sigmoid", str(folder), "--output", str(out),
                                          "--scheduler", address, *tls])
        assert result.exit_code == 0, result.output
        scores = {r["student"]: r["passed"] for r in read_csv(out)}
        assert scores == {"张三": "1", "wrong": "0"}

        rogue = _certificates(tmp_path / "rogue", "rogue")
        result = CliRunner().invoke(cli, ["grade-batch", "sigmoid", str(folder), "--output", str(tmp_path / "x.csv"),
                                          "--scheduler", address, "--tls-ca-file", str(rogue[0]),
                                          "--tls-cert", str(rogue[1]), "--tls-key", str(rogue[2])])
        assert result.exit_code == 1, result.output
        assert f"cannot reach the dask scheduler at {address}" in result.output
        error = [line for line in result.output.splitlines() if line.startswith("Error:")]
        assert len(error) == 1 and "Traceback" not in result.output, result.output
    finally:
        for proc in procs:
            _stop(proc)
