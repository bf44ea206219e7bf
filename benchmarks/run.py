"""`make bench`: quizkit's speed as ratios against floors measured in the same run.

Every figure is a median over alternating repeated runs (floor, subject, floor, subject, ...), so that a noisy
neighbour slows both sides alike. Prints one table and writes benchmarks/results.json.
Usage: python benchmarks/run.py [--quick] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from genbank import write_bank  # noqa: E402 - beside this script, not a package

PY = sys.executable
QUIZKIT = [PY, "-m", "quizkit"]
GRADED = ["sigmoid", "adam", "backprop", "receptive_field", "vgg11"]


def run_once(cmd: list[str], *, stdin: str | None = None, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB, of the process and the children it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss // 1024


def alternate(floor: list[str], subject: list[str], repeat: int, **kw) -> tuple[float, float, int]:
    """Median floor seconds, median subject seconds, peak subject MiB, from interleaved runs."""
    f, s, mem = [], [], 0
    run_once(floor)  # warm the page cache for both before measuring
    run_once(subject, **kw)
    for _ in range(repeat):
        f.append(run_once(floor)[0])
        t, m = run_once(subject, **kw)
        s.append(t)
        mem = max(mem, m)
    return statistics.median(f), statistics.median(s), mem


class Bench:
    def __init__(self, repeat: int, work: Path):
        self.repeat = repeat
        self.work = work
        self.rows: list[dict] = []
        self.env = dict(os.environ, QUIZKIT_HOME=str(work / "home"), NO_COLOR="1", LANG="C.UTF-8")

    def add(self, figure: str, value: float, floor_name: str, floor_s: float | None, goal: str, **extra) -> None:
        row = {"figure": figure, "value": round(value, 4), "floor": floor_name,
               "floor_s": round(floor_s, 4) if floor_s else None, "goal": goal, **extra}
        self.rows.append(row)
        print(f"  {figure:<58} {value:>9.3f}  {goal}", flush=True)

    # -- quiz ------------------------------------------------------------------------------------
    def quiz(self) -> None:
        bank = write_bank(self.work / "quiz.yaml", 60)
        floor = [PY, "-c", "import click, yaml"]
        cmd = QUIZKIT + ["quiz", "--bank", str(bank), "--count", "1", "--type", "true_false", "--seed", "1"]
        f, s, mem = alternate(floor, cmd, self.repeat, stdin="F\n", env=self.env)
        self.add("quiz: answer one question end to end (ratio)", s / f, "python -c 'import click, yaml'", f,
                 "<= 2x", seconds=round(s, 4))
        self.add("quiz: peak memory (MiB)", mem, "none", None, "MB")

    # -- bank loading ----------------------------------------------------------------------------
    def banks(self) -> None:
        for n in (100, 1000, 10000):
            bank = write_bank(self.work / f"bank{n}.yaml", n)
            floor = [PY, "-c", f"import yaml; yaml.load(open({str(bank)!r}, encoding='utf-8').read(), "
                               "Loader=yaml.CSafeLoader)"]
            cmd = QUIZKIT + ["bank", "stats", str(bank), "--format", "json"]
            f, s, _ = alternate(floor, cmd, self.repeat, env=self.env)
            self.add(f"bank stats on {n:,} questions (ratio)", s / f, "bare CSafeLoader parse", f,
                     "<= 2x" if n == 10000 else "growth", seconds=round(s, 4), questions=n)

    # -- grading ---------------------------------------------------------------------------------
    def grade(self) -> None:
        floor = [PY, "-c", "import torch"]
        for ex in GRADED:
            ref = ROOT / "reference" / f"{ex}.py"
            if not ref.exists():
                continue
            cmd = QUIZKIT + ["grade", ex, str(ref), "--format", "json"]
            f, s, mem = alternate(floor, cmd, max(3, self.repeat // 2), env=self.env)
            self.add(f"grade {ex} (ratio)", s / f, "python -c 'import torch'", f,
                     "<= 3x" if ex == "vgg11" else "<= 1.5x",
                     seconds=round(s, 4), peak_mib=mem)
            if ex == "sigmoid":
                self.add("grade sigmoid: peak memory of the supervisor (MiB)", mem, "none", None, "MB")

    def _class(self, n: int, exercise: str = "sigmoid") -> Path:
        folder = self.work / f"class-{exercise}-{n}"
        if folder.exists():
            return folder
        folder.mkdir()
        ref = (ROOT / "reference" / f"{exercise}.py").read_text(encoding="utf-8")
        starter = (ROOT / "exercises" / exercise / "starter.py").read_text(encoding="utf-8")
        for i in range(n):  # a realistic class: most right, some not started
            (folder / f"student{i:03d}.py").write_text(starter if i % 5 == 4 else ref, encoding="utf-8")
        return folder

    def batch(self) -> None:
        """grade-batch on its embedded dask cluster (--jobs 2), the cluster's start counted in every figure."""
        floor = [PY, "-c", "import torch"]
        for n in (10, 40, 200):
            folder = self._class(n)
            reps = 1 if n == 200 else max(2, self.repeat // 3)
            out = self.work / f"batch{n}.csv"
            cmd = QUIZKIT + ["grade-batch", "sigmoid", str(folder), "--output", str(out), "--jobs", "2"]
            f, s, _ = alternate(floor, cmd, reps, env=self.env)
            self.add(f"grade-batch sigmoid, {n} submissions, embedded cluster --jobs 2, per submission (ratio)",
                     s / n / f, "python -c 'import torch'", f, "<= 0.1x" if n >= 40 else "growth",
                     seconds=round(s, 3), submissions=n)
            if n == 40:
                batch_per_sub = s / n
        # The naive way: a fresh grading process per submission (what otter/pytest runners do).
        folder = self._class(10)
        subs = sorted(folder.glob("*.py"))[:5]
        start = time.perf_counter()
        for sub in subs:
            run_once(QUIZKIT + ["grade", "sigmoid", str(sub), "--format", "json"], env=self.env)
        naive = (time.perf_counter() - start) / len(subs)
        self.add("naive (a fresh grading process per submission) / grade-batch 40: speedup", naive / batch_per_sub,
                 "the naive way", naive, "speedup factor", naive_per_submission_s=round(naive, 3))
        self.batch_vgg11(floor)

    def batch_vgg11(self, floor: list[str]) -> None:
        if not (ROOT / "reference" / "vgg11.py").exists():
            return
        n = 12  # a class's steady state shows past the cluster's start (counted here too)
        folder = self._class(n, "vgg11")
        cmd = QUIZKIT + ["grade-batch", "vgg11", str(folder), "--output", str(self.work / "vgg11.csv"), "--jobs", "2"]
        f, s, _ = alternate(floor, cmd, 1, env=self.env)
        self.add(f"grade-batch vgg11, {n} submissions, embedded cluster --jobs 2, per submission (ratio)", s / n / f,
                 "python -c 'import torch'", f, "<= 1.5x", seconds=round(s, 3), submissions=n)

    def watch(self) -> None:
        sub = self.work / "watched" / "sigmoid.py"
        sub.parent.mkdir(exist_ok=True)
        ref = (ROOT / "reference" / "sigmoid.py").read_text(encoding="utf-8")
        sub.write_text(ref, encoding="utf-8")
        runs = self.repeat + 1
        proc = subprocess.Popen(QUIZKIT + ["watch", "sigmoid", str(sub), "--runs", str(runs + 1)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=self.env,
                                cwd=ROOT)
        assert proc.stdout is not None
        proc.stdout.readline()  # "Watching ..."
        proc.stdout.readline()  # the first grade
        lat = []
        for i in range(runs):
            time.sleep(0.3)
            start = time.perf_counter()
            sub.write_text(ref + f"\n# save {i}\n", encoding="utf-8")
            proc.stdout.readline()
            lat.append(time.perf_counter() - start)
        proc.wait(timeout=60)
        self.add("watch: re-grade of sigmoid after a save (seconds)", statistics.median(lat[1:]), "none", None,
                 "< 0.3 s")

    def similarity(self) -> None:
        """quizkit similarity (copydetect, O(n^2) pairs) against `python -c 'import copydetect'`, once per size."""
        floor = [PY, "-c", "import copydetect"]
        for n in (10, 40, 200):
            folder = varied_class(self.work / f"similar{n}", n)
            cmd = QUIZKIT + ["similarity", "sigmoid", str(folder), "--output-dir", str(self.work / f"similar{n}-out")]
            f, s, mem = alternate(floor, cmd, 1, env=self.env)
            self.add(f"similarity on {n} submissions, {n * (n - 1) // 2} pairs (ratio)", s / f,
                      "python -c 'import copydetect'", f, "growth", seconds=round(s, 3), submissions=n, peak_mib=mem)


def varied_class(folder: Path, n: int, seed: int = 0) -> Path:
    """n sigmoid submissions that differ in structure and constants, and every tenth a renamed copy of the one
    before it: a class whose similarity report has something to find (identical files would flag every pair)."""
    import random

    rng = random.Random(seed)
    folder.mkdir(exist_ok=True)
    body = ""
    for i in range(n):
        if i % 10 == 9:
            source = body.replace("v", "renamed_")
        else:
            lines = [f"    v{j} = torch.{rng.choice(['exp', 'abs', 'tanh', 'sqrt'])}(x {rng.choice('+-*/')} "
                     f"{rng.randint(1, 999)}) {rng.choice('+-*')} {rng.randint(1, 99)}" for j in range(rng.randint(6, 14))]
            body = "\n".join(lines) + f"\n    return v{len(lines) - 1}\n"
            source = body
        (folder / f"student{i:03d}.py").write_text(
            "import torch\n\n\ndef sigmoid(x):\n" + source + "\n\ndef sigmoid_grad(x):\n"
            "    s = sigmoid(x)\n    return s * (1 - s)\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", nargs="*", choices=["quiz", "banks", "grade", "batch", "watch", "similarity"])
    args = parser.parse_args()
    # Compiled bytecode is part of a real install; without it every run recompiles quizkit and the ratios drift.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    repeat = 3 if args.quick else 7
    work = Path(tempfile.mkdtemp(prefix="quizkit-bench-"))
    bench = Bench(repeat, work)
    print(f"quizkit benchmarks: median of {repeat} alternating runs; {platform.python_version()}, "
          f"{os.cpu_count()} cores")
    try:
        for name in args.only or ["quiz", "banks", "grade", "batch", "watch", "similarity"]:
            getattr(bench, name)()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (HERE / "results.json").write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M:%S"), "python": platform.python_version(),
        "cores": os.cpu_count(), "repeat": repeat, "figures": bench.rows}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'results.json'}")


if __name__ == "__main__":
    main()
