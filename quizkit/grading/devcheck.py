"""Runs in the trusted supervisor: the course checks itself (every reference passes, every starter and every
known-wrong variant fails, every exercise's time budget fits the report bound)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quizkit.grading.statement import missing_sections

MIN_MUTANTS = 3


@dataclass
class ExerciseCheck:
    exercise: str
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        text = "; ".join(self.problems if self.problems else self.facts)
        return f"{mark} {self.exercise}: {text}"


def check_exercise(ex, bank_topics: set[str]) -> ExerciseCheck:  # type: ignore[no-untyped-def]
    from quizkit.errors import QuizkitError
    from quizkit.grading.report import fmt_score
    from quizkit.grading.runner import Grader, check_budget

    result = ExerciseCheck(ex.id)
    readme = Path(ex.readme).read_text(encoding="utf-8") if Path(ex.readme).is_file() else ""
    for heading in missing_sections(readme):
        result.problems.append(f"README.md has no '{heading}' section")
    if bank_topics and ex.topic not in bank_topics:
        result.problems.append(f"topic '{ex.topic}' is not a bank topic ({', '.join(sorted(bank_topics))})")
    if not ex.hints:
        result.problems.append("exercise.yaml has no hints")
    for i, h in enumerate(ex.hints, 1):
        if not (isinstance(h, dict) and h.get("zh") and h.get("en")):
            result.problems.append(f"hint {i} needs both zh and en")

    try:
        check_budget(ex)
    except QuizkitError as err:
        result.problems.append(str(err))
        return result
    grader = Grader(ex, lang="en")  # explicit: the zh grader below may have set the grading language
    ref = grader.grade(Path(ex.reference))
    if not ref.passed or ref.score != ref.max_score:
        failed = ", ".join(f"{t.name} ({t.status.value}: {t.message[:120]})" for t in ref.failing)
        result.problems.append(f"reference scores {fmt_score(ref.score)}/{fmt_score(ref.max_score)}: {failed}")
    if ref.max_score != ex.points:
        result.problems.append(f"exercise.yaml says {ex.points} points but the tests are worth "
                               f"{fmt_score(ref.max_score)}")
    starter = grader.grade(Path(ex.starter))
    if starter.passed:
        result.problems.append("the starter passes every test")
    caught, named = _check_mutants(ex, grader, result)
    result.facts = [f"reference {fmt_score(ref.score)}/{fmt_score(ref.max_score)}",
                    f"starter {fmt_score(starter.score)}/{fmt_score(starter.max_score)}",
                    f"{caught}/{len(ex.mutants)} mutants caught", named]
    return result


def _check_mutants(ex, grader, result: ExerciseCheck) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Every mutant fails, and a failing visible test's message names the mistake its `expect:` declares, in
    each language the grading messages are written in (zh is checked once the messages come in Chinese)."""
    from quizkit.errors import QuizkitError
    from quizkit.grading.mutants import has_chinese, names_mistake, read_mutant
    from quizkit.grading.runner import Grader

    mutants = list(ex.mutants)
    if len(mutants) < MIN_MUTANTS:
        result.problems.append(f"{len(mutants)} mutant(s) in mutants/, need at least {MIN_MUTANTS}")
    caught, named = 0, {"en": 0, "zh": 0}
    zh_grader: Grader | None = None
    zh_checked = True
    for mutant in mutants:
        name = Path(mutant).name
        try:
            spec = read_mutant(Path(mutant))
        except QuizkitError as err:
            result.problems.append(str(err))
            spec = None
        report = grader.grade(Path(mutant))
        if report.passed:
            result.problems.append(f"mutant {name} passes every test")
            continue
        caught += 1
        if spec is None:
            continue
        messages = _visible_failures(report)
        if names_mistake(messages, spec.expect["en"]):
            named["en"] += 1
        else:
            result.problems.append(_unnamed(name, "en", spec.expect["en"], messages))
        if not zh_checked:
            continue
        zh_grader = zh_grader or Grader(ex, lang="zh")
        zh_messages = _visible_failures(zh_grader.grade(Path(mutant)))
        if not has_chinese(zh_messages):
            zh_checked = False  # the grading messages are English only: nothing to check in zh yet
        elif names_mistake(zh_messages, spec.expect["zh"]):
            named["zh"] += 1
        else:
            result.problems.append(_unnamed(name, "zh", spec.expect["zh"], zh_messages))
    zh = f"{named['zh']}/{len(mutants)} in zh" if zh_checked else "zh not checked (messages are English only)"
    return caught, f"{named['en']}/{len(mutants)} named in en, {zh}"


def _visible_failures(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.message for t in report.failing if t.visibility != "hidden" and t.message]


def _unnamed(name: str, lang: str, phrases: tuple[str, ...], messages: list[str]) -> str:
    first = messages[0].splitlines()[0][:160] if messages else "(no visible test failed)"
    return (f"mutant {name}: no failing visible test names its mistake in {lang} "
            f"(expected one of {', '.join(repr(p) for p in phrases)}; first message: {first})")


def check_course(ids: list[str] | None = None, *,
                 on_result: Callable[[ExerciseCheck], None] = lambda r: None) -> list[ExerciseCheck]:
    from quizkit.bank.load import load_paths
    from quizkit.grading.exercises import list_exercises, load_exercise

    topics = {q.topic for q in load_paths(None).questions}
    exercises = [load_exercise(i) for i in ids] if ids else list_exercises()
    results = []
    for ex in exercises:
        r = check_exercise(ex, topics)
        on_result(r)
        results.append(r)
    return results
