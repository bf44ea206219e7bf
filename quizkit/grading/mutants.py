"""Runs in the trusted supervisor: what each known-wrong variant (exercises/<id>/mutants/*.py) says it gets wrong.

A mutant's module docstring ends with an `expect:` block, YAML with one list of phrases per language:

    \"\"\"Known-wrong variant of `adam`: eps is added inside the square root.

    expect:
      en: [eps inside the square root]
      zh: [eps 放进了开方里]
    \"\"\"

`quizkit dev check` requires a failing visible test's message to contain one of the phrases (case and runs of
white space ignored), so every message that a real mistake produces names that mistake.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from quizkit.errors import QuizkitError
from quizkit.render.i18n import t

LANGS = ("en", "zh")


@dataclass(frozen=True)
class MutantSpec:
    path: Path
    expect: dict[str, tuple[str, ...]]  # language -> phrases, one of which a failing message must contain


def read_mutant(path: Path) -> MutantSpec:
    """The mutant's expect phrases; QuizkitError naming file and line when they are missing or malformed."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as err:
        raise QuizkitError(t("mutant.unreadable", file=path, error=err)) from None
    doc_node = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
    doc = ast.get_docstring(tree, clean=True)
    if doc is None or doc_node is None:
        raise QuizkitError(t("mutant.no_docstring", file=path))
    lines = doc.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"expect:\s*$", line)), None)
    where = f"{path}:{doc_node.lineno + (start or 0)}"
    if start is None:
        raise QuizkitError(t("mutant.no_expect", file=path, line=doc_node.lineno))
    try:
        data = yaml.safe_load("\n".join(lines[start:]))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = doc_node.lineno + start + (mark.line if mark is not None else 0)
        raise QuizkitError(t("mutant.bad_yaml", file=path, line=line,
                             error=getattr(err, "problem", None) or err)) from None
    block = data.get("expect") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise QuizkitError(t("mutant.not_mapping", where=where))
    expect: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        phrases = block.get(lang)
        if isinstance(phrases, str):
            phrases = [phrases]
        if not (isinstance(phrases, list) and phrases and all(isinstance(p, str) and p.strip() for p in phrases)):
            raise QuizkitError(t("mutant.no_phrases", where=where, lang=lang))
        expect[lang] = tuple(p.strip() for p in phrases)
    unknown = sorted(set(block) - set(LANGS))
    if unknown:
        raise QuizkitError(t("mutant.unknown_keys", where=where, keys=", ".join(map(str, unknown))))
    return MutantSpec(path, expect)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def names_mistake(messages: list[str], phrases: tuple[str, ...]) -> bool:
    """Some message contains some phrase (ignoring case and white space)."""
    return any(_norm(p) in _norm(m) for m in messages for p in phrases)


def has_chinese(messages: list[str]) -> bool:
    return any(re.search(r"[\u4e00-\u9fff]", m) for m in messages)
