"""Runs in the trusted supervisor: the course checks itself (every reference passes, every starter and every
known-wrong variant fails, every exercise's time budget fits the report bound)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quizkit.grading.statement import missing_sections
from quizkit.render.i18n import t

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
        text = t("dev.sep").join(self.problems if self.problems else self.facts)
        return t("dev.line", mark=t("dev.ok" if self.ok else "dev.fail"), exercise=self.exercise, text=text)


def check_exercise(ex, bank_topics: set[str]) -> ExerciseCheck:  # type: ignore[no-untyped-def]
    from quizkit.errors import QuizkitError
    from quizkit.grading.report import fmt_score
    from quizkit.grading.runner import Grader, check_budget

    result = ExerciseCheck(ex.id)
    readme = Path(ex.readme).read_text(encoding="utf-8") if Path(ex.readme).is_file() else ""
    for heading in missing_sections(readme):
        result.problems.append(t("dev.no_section", heading=heading))
    if bank_topics and ex.topic not in bank_topics:
        result.problems.append(t("dev.bad_topic", topic=ex.topic, topics=", ".join(sorted(bank_topics))))
    if not ex.hints:
        result.problems.append(t("dev.no_hints"))
    for i, h in enumerate(ex.hints, 1):
        if not (isinstance(h, dict) and h.get("zh") and h.get("en")):
            result.problems.append(t("dev.hint_langs", n=i))

    try:
        check_budget(ex)
    except QuizkitError as err:
        result.problems.append(str(err))
        return result
    grader = Grader(ex, lang="en")  # explicit: the zh grader below may have set the grading language
    ref = grader.grade(Path(ex.reference))
    if not ref.passed or ref.score != ref.max_score:
        failed = ", ".join(f"{r.name} ({r.status.value}: {r.message[:120]})" for r in ref.failing)
        result.problems.append(t("dev.reference_fails", score=fmt_score(ref.score), max=fmt_score(ref.max_score),
                                 failed=failed))
    if ref.max_score != ex.points:
        result.problems.append(t("dev.points", points=ex.points, max=fmt_score(ref.max_score)))
    starter = grader.grade(Path(ex.starter))
    if starter.passed:
        result.problems.append(t("dev.starter_passes"))
    caught, named = _check_mutants(ex, grader, result)
    result.facts = [t("dev.fact.reference", score=fmt_score(ref.score), max=fmt_score(ref.max_score)),
                    t("dev.fact.starter", score=fmt_score(starter.score), max=fmt_score(starter.max_score)),
                    t("dev.fact.caught", caught=caught, total=len(ex.mutants)), named]
    return result


def _check_mutants(ex, grader, result: ExerciseCheck) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Every mutant fails, and a failing visible test's message names the mistake its `expect:` declares, in
    each language the grading messages are written in (zh is checked once the messages come in Chinese)."""
    from quizkit.errors import QuizkitError
    from quizkit.grading.mutants import has_chinese, names_mistake, read_mutant
    from quizkit.grading.runner import Grader

    mutants = list(ex.mutants)
    if len(mutants) < MIN_MUTANTS:
        result.problems.append(t("dev.too_few_mutants", n=len(mutants), min=MIN_MUTANTS))
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
            result.problems.append(t("dev.mutant_passes", name=name))
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
    zh = t("dev.fact.named_zh", zh=named["zh"], total=len(mutants)) if zh_checked else t("dev.fact.zh_unchecked")
    return caught, t("dev.fact.named", en=named["en"], total=len(mutants), zh=zh)


def _visible_failures(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.message for r in report.failing if r.visibility != "hidden" and r.message]


def _unnamed(name: str, lang: str, phrases: tuple[str, ...], messages: list[str]) -> str:
    first = messages[0].splitlines()[0][:160] if messages else t("dev.no_visible_failure")
    return t("dev.unnamed", name=name, lang=lang, phrases=", ".join(repr(p) for p in phrases), first=first)


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
