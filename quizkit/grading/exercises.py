"""The coding exercises: one folder per exercise with a small exercise.yaml, the reference beside them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizkit.errors import QuizkitError, UsageError
from quizkit.grading.forbidden.policy import DEFAULT_IMPORTS, OperatorPolicy, Policy
from quizkit.grading.sandbox.limits import Limits
from quizkit.paths import exercises_dir, reference_dir
from quizkit.render.i18n import t

TOPICS = ["ml-basics", "linear-regression", "softmax-regression", "perceptron-mlp", "activation", "loss", "optimizer", "backprop", "gradient-problems", "regularization", "normalization", "initialization", "cnn", "rnn", "gan", "training-pipeline"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_OPERATOR = re.compile(r"^([a-z_][a-z0-9_]*::)?[A-Za-z_][A-Za-z0-9_]*$")


HIDDEN_VISIBILITY = ("hidden", "after_due_date")  # Gradescope's names; a hidden test is never shown at once


@dataclass(frozen=True)
class Exercise:
    id: str
    title_zh: str
    title_en: str
    topic: str  # one of TOPICS, the bank's topic tags
    points: int  # must equal the sum of @points over the tests (checked by `quizkit dev check`)
    forbidden: tuple[str, ...]  # dotted names blocked statically and at run time in the child
    limits: Limits
    hints: tuple[dict[str, str], ...]  # each {"zh": ..., "en": ...}, shown one at a time
    dir: Path
    test_file: Path
    starter: Path
    reference: Path
    readme: Path
    mutants: tuple[Path, ...] = field(default=())  # known-wrong variants; each must fail a test
    hidden_visibility: str = "hidden"  # what Gradescope shows of hidden tests: hidden | after_due_date
    imports: tuple[str, ...] = DEFAULT_IMPORTS  # modules the submission may import and reach (allowlist)
    operators: OperatorPolicy | None = None  # aten operators it may run, checked in the child; None: unchecked

    @property
    def policy(self) -> Policy:
        return Policy(imports=self.imports, forbidden=self.forbidden, operators=self.operators)

    @property
    def probes(self) -> Path | None:
        path = self.dir / "probes.py"
        return path if path.is_file() else None

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en


def list_exercises() -> list[Exercise]:
    root = exercises_dir()
    if not root.is_dir():
        return []
    return [load_exercise_dir(d) for d in sorted(root.iterdir()) if (d / "exercise.yaml").is_file()]


def known_ids() -> list[str]:
    root = exercises_dir()
    if not root.is_dir():
        return []
    return sorted(d.name for d in root.iterdir() if (d / "exercise.yaml").is_file())


def load_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id; UsageError (exit 2) naming the known ids when there is none."""
    if not _ID.match(exercise_id or "") or not (exercises_dir() / exercise_id / "exercise.yaml").is_file():
        raise UsageError(t("cli.unknown_exercise", exercise=exercise_id, known=", ".join(known_ids()) or t("cli.none")))
    return load_exercise_dir(exercises_dir() / exercise_id)


def load_exercise_dir(folder: Path, *, reference: Path | None = None) -> Exercise:
    """Read folder/exercise.yaml; errors name the file and line. `reference` overrides reference/<id>.py."""
    folder = Path(folder)
    meta = folder / "exercise.yaml"
    node, data = _read_yaml(meta)
    if not isinstance(data, dict):
        raise QuizkitError(t("yaml.not_mapping", file=meta))

    def where(key: str) -> str:
        return f"{meta}:{_line(node, key)}"

    def fail(key: str, message: str) -> QuizkitError:
        return QuizkitError(f"{where(key)}: {message}")

    ex_id = data.get("id")
    if ex_id != folder.name:
        raise fail("id", t("yaml.id_folder", folder=folder.name, got=repr(ex_id)))
    if not _ID.match(ex_id):
        raise fail("id", t("yaml.id_chars"))
    title = data.get("title")
    if not (isinstance(title, dict) and isinstance(title.get("zh"), str) and isinstance(title.get("en"), str)):
        raise fail("title", t("yaml.title"))
    topic = data.get("topic")
    if topic not in TOPICS:
        raise fail("topic", t("yaml.topic", topics=" ".join(TOPICS), got=repr(topic)))
    points = data.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise fail("points", t("yaml.points", got=repr(points)))
    forbidden = data.get("forbidden") or []
    if not isinstance(forbidden, list) or not all(isinstance(f, str) and _DOTTED.match(f) for f in forbidden):
        raise fail("forbidden", t("yaml.forbidden"))
    imports = _dotted_list(data, "imports", fail, DEFAULT_IMPORTS)
    operators = _operators(data.get("operators"), fail)
    limits = Limits.from_mapping(data.get("limits"), where=where("limits"))
    hints = data.get("hints") or []
    if not isinstance(hints, list) or not all(
        isinstance(h, dict) and isinstance(h.get("zh"), str) and isinstance(h.get("en"), str) for h in hints
    ):
        raise fail("hints", t("yaml.hints"))
    hidden_visibility = data.get("hidden_visibility", "hidden")
    if hidden_visibility not in HIDDEN_VISIBILITY:
        raise fail("hidden_visibility", t("yaml.hidden_visibility", choices=", ".join(HIDDEN_VISIBILITY)))
    unknown = sorted(set(data) - {"id", "title", "topic", "points", "forbidden", "imports", "operators", "limits",
                                  "hints", "hidden_visibility"})
    if unknown:
        raise fail(unknown[0], t("yaml.unknown_key", name=unknown[0]))
    mutants_dir = folder / "mutants"
    mutants = tuple(sorted(mutants_dir.glob("*.py"))) if mutants_dir.is_dir() else ()
    return Exercise(
        id=ex_id,
        title_zh=title["zh"],
        title_en=title["en"],
        topic=topic,
        points=points,
        forbidden=tuple(forbidden),
        limits=limits,
        hints=tuple({"zh": h["zh"], "en": h["en"]} for h in hints),
        dir=folder,
        test_file=folder / f"test_{ex_id}.py",
        starter=folder / "starter.py",
        reference=Path(reference) if reference is not None else reference_dir() / f"{ex_id}.py",
        readme=folder / "README.md",
        mutants=mutants,
        hidden_visibility=hidden_visibility,
        imports=imports,
        operators=operators,
    )


def _read_yaml(meta: Path) -> tuple[Any, Any]:
    """(node, data) of a YAML file; QuizkitError naming the file and line when it cannot be read or parsed."""
    import yaml

    try:
        text = meta.read_text(encoding="utf-8")
    except OSError as err:
        raise QuizkitError(t("yaml.unreadable", file=meta, error=err.strerror or err)) from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            return node, (loader.construct_document(node) if node is not None else None)
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise QuizkitError(t("yaml.invalid", file=meta, line=line, problem=problem)) from None


def _dotted_list(data: dict[str, Any], key: str, fail: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if key not in data:
        return default
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and _DOTTED.match(v) for v in value):
        raise fail(key, t("yaml.modules", name=key))
    return tuple(value)


def _operators(value: Any, fail: Any) -> OperatorPolicy | None:
    """`operators: {allow: [exp, abs, ...], autograd: false}`; absent: no run-time operator check."""
    if value is None:
        return None
    shape = t("yaml.operators")
    if not isinstance(value, dict) or set(value) - {"allow", "autograd"}:
        raise fail("operators", shape)
    allow = value.get("allow") or []
    if not isinstance(allow, list) or not all(isinstance(a, str) and _OPERATOR.match(a) for a in allow):
        raise fail("operators", shape)
    autograd = value.get("autograd", True)
    if not isinstance(autograd, bool):
        raise fail("operators", t("yaml.autograd"))
    bad = [a for a in allow if a.endswith("_") and not a.endswith("__")]
    if bad:
        raise fail("operators", t("yaml.in_place", base=bad[0][:-1], name=bad[0]))
    return OperatorPolicy(frozenset(allow), autograd)


def _line(node: Any, key: str) -> int:
    """1-based line of `key` in the top-level mapping node (1 when absent)."""
    for k, _ in getattr(node, "value", []) or []:
        if getattr(k, "value", None) == key:
            return int(k.start_mark.line) + 1
    return 1
