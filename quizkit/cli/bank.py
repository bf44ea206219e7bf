"""`quizkit bank ...`: validate, describe and create question banks."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from quizkit.cli.options import bank_option, format_option, lang_option
from quizkit.errors import UsageError
from quizkit.render.i18n import t


@click.group()
def bank() -> None:
    """Validate, describe and create question banks (YAML)."""


paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=str))


@bank.command()
@paths_argument
@click.option("--strict", is_flag=True, help="Treat warnings (the item-writing lint too) as errors.")
@click.option("--no-lint", is_flag=True, help="Skip the item-writing lint (answer cues).")
def validate(paths: tuple[str, ...], strict: bool, no_lint: bool) -> None:
    """Check banks and print each problem as `path:line: error|warning: message`.

    \b
    Besides structure, parametrized questions are evaluated over a sample of their params, and the lint
    flags answer cues: [key-length] a key over 1.5x the longest distractor, [key-longest] a bank whose keys
    are the longest option more often than chance, [k-longest] a keyed set that is exactly the longest
    options, [absolute-word] absolutes only in distractors, [all-of-the-above], [prompt-has-key].
    PATHS are files or folders (default: the shipped banks). Exit 0 when valid, 1 when not.
    """
    from quizkit.bank.validate import validate as run

    result = run(paths or None, strict=strict, lint=not no_lint)
    for diag in result.diagnostics:
        click.echo(str(diag))
    errors, warnings = len(result.errors), len(result.warnings)
    click.echo(t("bank.validated", banks=len(result.banks), questions=len(result.questions), errors=errors,
                 warnings=warnings), err=True)
    if not no_lint:
        from quizkit.bank.lint import figures

        f = figures(result.questions)
        pct = lambda a, b: f"{a}/{b} ({a / b:.0%})" if b else "0/0"  # noqa: E731
        click.echo(t("bank.lint", longest=pct(f["key_longest"], f["single"]), over=f["key_over_ratio"],
                     k_longest=pct(f["k_longest"], f["multiple"])), err=True)
    sys.exit(1 if errors else 0)


@bank.command()
@click.argument("exports", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=str),
              help="Banks that hold the questions (to mark the keys); repeatable. Default: the shipped banks.")
@format_option("text", "json")
def analyze(exports: tuple[str, ...], banks: tuple[str, ...], fmt: str) -> None:
    """Item statistics of a class: facility, discrimination and option pick rates per question, and
    Cronbach's alpha, from the students' `quizkit stats --export FILE.json` files (Moodle's definitions).

    Flags questions with discrimination below 20% or facility outside 20-90%.
    """
    from quizkit.bank.analyze import analyze as run
    from quizkit.bank.analyze import keys_from_banks, render_text
    from quizkit.bank.load import load_checked

    result = run(exports, keys_from_banks(load_checked(banks or None).questions))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in render_text(result):
        click.echo(line)


@bank.command()
@paths_argument
@format_option("text", "json")
@lang_option
def stats(paths: tuple[str, ...], fmt: str, lang: str | None) -> None:
    """Count questions by type, tag, topic and difficulty."""
    from quizkit.bank.load import load_checked
    from quizkit.render.i18n import set_lang

    set_lang(lang)

    result = load_checked(paths or None)
    questions = result.questions
    data: dict[str, Any] = {
        "total": len(questions),
        "by_type": dict(Counter(q.type for q in questions).most_common()),
        "by_topic": dict(Counter(q.topic for q in questions).most_common()),
        "by_tag": dict(Counter(t for q in questions for t in q.tags).most_common()),
        "by_difficulty": {str(d): n for d, n in sorted(Counter(q.difficulty for q in questions).items())},
        "banks": [{"path": b.path, "title": b.title, "count": len(b.questions)} for b in result.banks],
    }
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    from quizkit.render.terminal import make_console

    console = make_console()
    folder, names = _bank_names([b["path"] for b in data["banks"]])
    if folder:
        click.echo(t("bank.in_folder", folder=folder))
    banks = Table(title=t("stats.banks_title", n=data["total"], banks=len(result.banks)))
    for col in ("bank", "title", "questions"):
        banks.add_column(t(f"stats.col.{col}"), justify="right" if col == "questions" else "left")
    for b, name in zip(data["banks"], names):
        banks.add_row(name, b["title"], str(b["count"]))
    console.print(banks)
    for col, key in (("type", "by_type"), ("topic", "by_topic"), ("difficulty", "by_difficulty")):
        table = Table(title=t(f"stats.{key}"))
        table.add_column(t(f"stats.col.{col}"))
        table.add_column(t("stats.col.questions"), justify="right")
        for name, count in data[key].items():
            table.add_row(name, str(count))
        console.print(table)


def _bank_names(paths: list[str]) -> tuple[str, list[str]]:
    """Short names for the bank column: as the user would type them below the working folder; elsewhere relative
    to the folder they share (named once, above the table), so a long absolute path is not cut to `/work/…`."""
    import os

    shown = [_short(p) for p in paths]
    outside = [p for p, s in zip(paths, shown) if os.path.isabs(s)]
    if not outside:
        return "", shown
    folder = os.path.commonpath([os.path.dirname(p) for p in outside])
    return folder, [os.path.relpath(p, folder) if os.path.isabs(s) else s for p, s in zip(paths, shown)]


def _short(path: str) -> str:
    """A path relative to the working folder when it lies below it, as the user would type it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


@bank.command()
@click.argument("question_id")
@click.option("--bank", "banks", multiple=True, type=click.Path(path_type=str),
              help="A bank file or folder; repeatable. Default: the shipped banks.")
@click.option("--raw-math", is_flag=True, help="Show LaTeX source instead of Unicode.")
@click.option("--seed", type=int, default=None, help="The draw of a parametrized question (default: a fresh one).")
@lang_option
def show(question_id: str, banks: tuple[str, ...], raw_math: bool, seed: int | None, lang: str | None) -> None:
    """Show one question with its answer and explanation (a parametrized one with one draw of its numbers)."""
    from quizkit.bank.load import load_questions
    from quizkit.render.i18n import set_lang

    set_lang(lang)
    questions = {q.id: q for q in load_questions(banks or None)}
    if question_id not in questions:
        import difflib

        close = difflib.get_close_matches(question_id, list(questions), n=3)
        hint = t("bank.did_you_mean", names=", ".join(close)) if close else ""
        raise UsageError(t("bank.no_question", id=question_id, hint=hint))
    from quizkit.quiz.select import Presented
    from quizkit.render.terminal import TerminalPort

    q = _draw(questions[question_id], seed)
    item = Presented(q)
    term = TerminalPort(raw_math=raw_math)
    term.question(item, 1, 1, section=None, remaining=None, asked=False)
    term.para(_metadata(q))
    if q.type == "short_answer":
        term.para((t("interop.rubric").rstrip(), "bold"))
        for kp in q.key_points:
            term.para(f"{kp.points:g} · {kp.label}  ← {_phrasings(kp)}", indent=2, hang=2)
        term.para((t("model_answer"), "bold"), *term.content(str(q.answer)))
    else:
        term.para((t("correct_answer", answer=term.answer_text(item)), "bold green"))
    term.explanation(item)


def _metadata(q: Any) -> str:
    """Where the question is written and what it is filed under, each label in the interface language."""
    fields = [(t("difficulty"), str(q.difficulty)), (t("show.tags"), ", ".join(q.tags)),
              (t("show.source"), q.source), (t("show.group"), q.group),
              (t("show.params"), ", ".join(f"{k}={v:g}" for k, v in q.drawn))]
    return " · ".join([f"{q.bank}:{q.line}", *(f"{label} {value}" for label, value in fields if value)])


def _phrasings(kp: Any) -> str:
    """What a key point matches, as written in the bank: `a | b` (any), `+ (c | d)` per `all:` group (the same
    clause), `⊘ e | f` (unless: these void it)."""
    groups = ([" | ".join(kp.any)] if kp.any else []) + [f"({' | '.join(g)})" for g in kp.all]
    text = " + ".join(groups)
    return text + (f"  ⊘ {' | '.join(kp.unless)}" if kp.unless else "")


def _draw(q: Any, seed: int | None) -> Any:
    """A parametrized question as the quiz draws it with --seed (fresh numbers without one); others as they are."""
    if not q.params:
        return q
    from quizkit.bank.params import instantiate
    from quizkit.quiz.select import make_rng

    return instantiate(q, make_rng(seed, "params:" + q.id))


@bank.command(name="try")
@click.argument("question_id")
@click.argument("answers", nargs=-1, required=True)
@bank_option
@click.option("--seed", type=int, default=None,
              help="The draw of a parametrized question, as `quiz --seed` draws it (default: a fresh one).")
@format_option("text", "json")
@lang_option
def try_(question_id: str, answers: tuple[str, ...], banks: tuple[str, ...], seed: int | None, fmt: str,
         lang: str | None) -> None:
    """Mark each ANSWER against question QUESTION_ID, as a quiz would; an answer may contain newlines.

    A parametrized question is marked on one draw of its numbers, printed first (in JSON: "params").
    With --format json: one JSON object per answer and line, with id, score (0-1), hits and missed.
    """
    from quizkit.bank.cache import load_questions
    from quizkit.errors import QuizkitError
    from quizkit.quiz.rubric import trial
    from quizkit.render.i18n import set_lang

    set_lang(lang)
    questions = {q.id: q for q in load_questions(list(banks) or None)}
    if question_id not in questions:
        raise QuizkitError(t("bank.no_question_listed", id=question_id))
    q = _draw(questions[question_id], seed)
    drawn = {name: value for name, value in q.drawn}
    if drawn and fmt != "json":
        click.echo(f"{q.id}: " + ", ".join(f"{name}={value:g}" for name, value in q.drawn))
    for n, answer in enumerate(answers, 1):
        data = trial(q, answer)
        if fmt == "json":
            click.echo(json.dumps({**data, "params": drawn} if drawn else data, ensure_ascii=False))
            continue
        extra = f" ({data['points']:g}/{data['total']:g})" if "total" in data else ""
        click.echo(t("rubric.try", n=n, score=f"{data['score']:.2f}") + extra)
        if "error" in data:
            click.echo("  " + t(f"invalid.{data['error']}", **data.get("error_args", {})))
        for ev in data.get("evidence", ()):
            clause = "  " + t("rubric.evidence", clause=ev["clause"]) if ev["clause"] else ""
            click.echo("  " + t(f"rubric.{ev['status']}", label=ev["label"], why=ev["why"]) + clause)


@bank.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(path: Path, force: bool) -> None:
    """Write a commented template bank with one question of each type."""
    from quizkit.bank.schema import SCHEMA_FILE
    from quizkit.paths import questions_dir, write_atomic

    if path.exists() and not force:
        raise UsageError(t("cli.exists", path=path))
    template = (Path(__file__).resolve().parent.parent / "bank" / "template.yaml").read_text(encoding="utf-8")
    schema_path = (questions_dir() / SCHEMA_FILE).resolve()
    template = template.replace("https://quizkit.invalid/" + SCHEMA_FILE, schema_path.as_uri())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, template)
    click.echo(t("bank.wrote_template", path=path))


@bank.command()
def schema() -> None:
    """Print the JSON Schema of the bank format (for editors)."""
    from quizkit.bank.schema import schema_json

    click.echo(schema_json(), nl=False)


from quizkit.cli.bank_io import export_cmd, import_cmd  # noqa: E402  (owned by bank_io; kept out of this file)

bank.add_command(export_cmd)
bank.add_command(import_cmd)
