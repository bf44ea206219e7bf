"""A Gradescope autograder for one exercise: a zip with setup.sh and run_autograder at its root.

setup.sh installs quizkit from the wheel inside the zip with the locked dependencies (pip --no-deps -r
requirements.lock, so the image holds what was tested); run_autograder grades /autograder/submission/<file>
in quizkit's sandbox and writes /autograder/results/results.json to Gradescope's spec.

    python -m quizkit.interop.gradescope run EXERCISE     what run_autograder calls (AUTOGRADER_ROOT overrides /autograder)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from quizkit.errors import QuizkitError
from quizkit.paths import write_atomic

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${{QUIZKIT_PYTHON:-python3}}"
# torch is pinned to its CPU build (+cpu), which PyTorch's own index serves; set QUIZKIT_TORCH_INDEX= to skip it.
INDEX="${{QUIZKIT_TORCH_INDEX-https://download.pytorch.org/whl/cpu}}"
"$PYTHON" -m pip install --quiet --no-deps ${{INDEX:+--extra-index-url "$INDEX"}} -r requirements.lock
"$PYTHON" -m pip install --quiet --no-deps {wheel}
"$PYTHON" -m quizkit exercise show {exercise} --lang en > /dev/null
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; it always writes results.json, whatever the submission does.
cd "$(dirname "$0")"
exec "${{QUIZKIT_PYTHON:-python3}}" -m quizkit.interop.gradescope run {exercise}
"""


def build(exercise_id: str, output: Path, *, project: Path | None = None) -> list[str]:
    """Write the autograder zip for `exercise_id`; returns the names it holds. Needs a quizkit checkout (the
    wheel is built from it, with the banks, exercises and references inside)."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.render.i18n import t

    ex = load_exercise(exercise_id)
    root = project or Path(__file__).resolve().parent.parent.parent
    lock = root / "requirements.lock"
    if not (root / "pyproject.toml").is_file() or not lock.is_file():
        raise QuizkitError(t("export.not_checkout", root=root))
    with tempfile.TemporaryDirectory(prefix="quizkit-wheel-") as tmp:
        out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                              "--wheel-dir", tmp, str(root)], capture_output=True, text=True, check=False)
        wheels = sorted(Path(tmp).glob("quizkit-*.whl"))
        if out.returncode != 0 or not wheels:
            last = (out.stderr.strip().splitlines() or [t("export.no_wheel")])[-1]
            raise QuizkitError(t("export.wheel_failed", root=root, error=last))
        wheel = wheels[0]
        files = {
            "setup.sh": SETUP_SH.format(wheel=wheel.name, exercise=ex.id),
            "run_autograder": RUN_AUTOGRADER.format(exercise=ex.id),
            "requirements.lock": lock.read_text(encoding="utf-8"),
        }
        write_atomic(output, _zip(files, wheel))
    return [*files, wheel.name]


def _zip(files: dict[str, str], wheel: Path) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in ("setup.sh", "run_autograder") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
        zf.write(wheel, wheel.name)
    return buffer.getvalue()


def find_submission(folder: Path, expected: str) -> Path | str:
    """The file to grade, or why there is none: the expected name, else the only .py file submitted."""
    if (folder / expected).is_file():
        return folder / expected
    found = sorted(p for p in folder.rglob("*.py") if p.is_file()) if folder.is_dir() else []
    if len(found) == 1:
        return found[0]
    names = ", ".join(p.name for p in found[:5]) or "none"
    return f"submit one Python file named {expected} (found: {names})"


def run(exercise_id: str, root: Path) -> dict:
    """Grade the submission under `root` (Gradescope's /autograder) and write results/results.json."""
    from quizkit.grading.exercises import load_exercise
    from quizkit.grading.runner import Grader

    ex = load_exercise(exercise_id)
    target = find_submission(root / "submission", f"{ex.id}.py")
    if isinstance(target, str):
        results = {"score": 0, "output": target, "output_format": "text", "visibility": "visible", "tests": []}
    else:
        try:
            report = Grader(ex).grade(target, display_name=target.name)
            results = report.to_gradescope(ex.hidden_visibility)
        except QuizkitError as err:
            results = {"score": 0, "output": str(err), "output_format": "text", "visibility": "visible",
                       "tests": []}
    (root / "results").mkdir(parents=True, exist_ok=True)
    write_atomic(root / "results" / "results.json", json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "run":
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    try:
        results = run(argv[1], root)
    except QuizkitError as err:
        print(f"quizkit: {err}", file=sys.stderr)
        return 1
    print(f"{argv[1]}: {results['score']} -> {root / 'results' / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
