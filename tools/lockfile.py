"""requirements.lock: every package of the venv pinned, written by `make lock`, checked by tests/test_lock.py.

    python tools/lockfile.py write VENV LOCK     freeze VENV (quizkit itself left out) into LOCK
    python tools/lockfile.py extras LOCK         packages of this interpreter that LOCK does not list
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
TOOLING = {"pip", "setuptools", "wheel"}  # what builds and installs the venv; pinned too, required by nobody
HEADER = """\
# Every package of quizkit's venv, pinned. `make install` installs exactly these (pip --no-deps: nothing is
# resolved at install time), then quizkit itself. Refresh with `make lock` after editing pyproject.toml.
# torch is the CPU build (+cpu) that `pip install torch==2.13.0` takes from the machine's local wheel.
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, str]:
    """{canonical name: version} from `name==version` lines."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise ValueError(f"{path}:{number}: expected name==version, got {raw!r}")
        pins[canonical(name)] = version.strip()
    return pins


def declared(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    """The project's own requirements: runtime, every extra, and the build backend."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs.extend(extra)
    reqs.extend(data.get("build-system", {}).get("requires", []))
    return [Requirement(r) for r in reqs]


def installed() -> dict[str, metadata.Distribution]:
    dists = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            dists.setdefault(canonical(name), dist)
    return dists


def closure(roots: list[Requirement], dists: dict[str, metadata.Distribution]) -> set[str]:
    """Every distribution the roots need, following the installed metadata's requirements (with extras)."""
    needed: set[str] = set()
    stack: list[tuple[Requirement, tuple[str, ...]]] = [(r, ("",)) for r in roots]
    while stack:
        req, parent_extras = stack.pop()
        if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in parent_extras):
            continue
        name = canonical(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in needed:
            continue
        needed.update((key, name))
        for sub in (dists[name].requires or []) if name in dists else []:
            stack.append((Requirement(sub), ("", *sorted(req.extras))))
    return {n for n in needed if "[" not in n}


def problems(lock: Path, pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """Where pyproject.toml, the lock and this interpreter's packages disagree (empty when they agree)."""
    pins = read_lock(lock)
    dists = {n: d for n, d in installed().items() if n != "quizkit"}
    found = []
    for req in declared(pyproject):
        name = canonical(req.name)
        if name not in pins:
            found.append(f"pyproject.toml requires {req} but {lock.name} does not pin it: run `make lock`")
        elif not req.specifier.contains(pins[name], prereleases=True):
            found.append(f"{lock.name} pins {name}=={pins[name]}, outside pyproject.toml's {req}: run `make lock`")
    needed = closure(declared(pyproject), dists) | TOOLING
    for name in sorted(set(pins) - needed):
        found.append(f"{lock.name} pins {name}, which nothing in pyproject.toml needs: run `make lock`")
    for name, version in sorted(pins.items()):
        if name not in dists:
            found.append(f"the venv lacks {name}=={version}: run `make install`")
        elif dists[name].version != version:
            found.append(f"the venv has {name}=={dists[name].version}, the lock {version}: run `make install`")
    for name in sorted(set(dists) - set(pins)):
        found.append(f"the venv has {name}=={dists[name].version}, which the lock does not list: run `make install`")
    return found


def write(venv: Path, lock: Path) -> int:
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all", "--exclude-editable",
                          "--exclude", "quizkit"], check=True, capture_output=True, text=True).stdout
    lines = sorted((ln for ln in out.splitlines() if "==" in ln), key=lambda ln: canonical(ln.split("==")[0]))
    lock.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["write"] and len(argv) == 3:
        print(f"==> {argv[2]}: {write(Path(argv[1]), Path(argv[2]))} packages pinned")
        return 0
    if argv[:1] == ["extras"] and len(argv) == 2:
        pins = read_lock(Path(argv[1]))
        print(" ".join(sorted(n for n in installed() if n not in pins and n != "quizkit")))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
