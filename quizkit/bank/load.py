"""Read YAML banks into `Question`s, keeping the line of every question and field.

Structural checks live here because the quiz refuses a broken bank too. Checks that need SymPy, evaluate
parametrized questions or compare questions with each other live in `validate.py` and `lint.py`, which the quiz
path never imports. The YAML plumbing is in `yamlread.py`, the answers by type in `answers.py`, and `params:`,
`where:` and `group:` in `paramspec.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quizkit.bank.files import bank_files
from quizkit.bank.model import TYPES, Bank, Diagnostic, Question
from quizkit.bank.paramspec import ParamSpecReader
from quizkit.bank.yamlread import describe, kind_of, suggest
from quizkit.errors import QuizkitError

ID_RE = re.compile(r"^[a-z0-9._-]+$")
BANK_FIELDS = {"title", "tags", "questions", "description"}
COMMON_FIELDS = {"id", "type", "prompt", "answer", "explanation", "tags", "difficulty", "source", "group"}
PARAM_FIELDS = {"params", "where"}  # numeric, single, multiple, true_false
TYPE_FIELDS = {
    "single": {"options", *PARAM_FIELDS},
    "multiple": {"options", "scoring", *PARAM_FIELDS},
    "true_false": {*PARAM_FIELDS},
    "numeric": {"tolerance", "rel_tolerance", "unit", *PARAM_FIELDS},
    "symbolic": {"variables"},
    "short_answer": {"key_points", "examples"},
}
ALL_QUESTION_FIELDS = COMMON_FIELDS.union(*TYPE_FIELDS.values())
REQUIRED = ("id", "type", "prompt", "answer")


class BankError(QuizkitError):
    """A bank that cannot be used; the message is its `path:line: error: ...` lines."""


@dataclass
class LoadResult:
    banks: list[Bank] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def questions(self) -> list[Question]:
        return [q for b in self.banks for q in b.questions]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def load_paths(paths: Iterable[str | Path] | None = None) -> LoadResult:
    result = LoadResult()
    seen_ids: dict[str, tuple[str, int]] = {}
    for path in bank_files(paths):
        bank, diags = load_file(path)
        result.diagnostics.extend(diags)
        if bank is None:
            continue
        kept = []
        for q in bank.questions:
            if q.id in seen_ids:
                other = seen_ids[q.id]
                result.diagnostics.append(Diagnostic(
                    q.bank, q.line, "error", f"duplicate id '{q.id}' (first defined at {other[0]}:{other[1]})"))
                continue
            seen_ids[q.id] = (q.bank, q.line)
            kept.append(q)
        result.banks.append(Bank(bank.path, bank.title, bank.tags, tuple(kept)))
    return result


def load_checked(paths: Iterable[str | Path] | None = None) -> LoadResult:
    """Load banks that must be usable: any error stops here, with every error listed."""
    result = load_paths(paths)
    if result.errors:
        raise BankError("\n".join(str(d) for d in sorted(result.errors))
                        + "\nRun `quizkit bank validate` on the bank for details.")
    return result


def load_questions(paths: Iterable[str | Path] | None = None) -> list[Question]:
    return load_checked(paths).questions


def load_file(path: Path) -> tuple[Bank | None, list[Diagnostic]]:
    return _FileLoader(path).load()


class _FileLoader(ParamSpecReader):
    def load(self) -> tuple[Bank | None, list[Diagnostic]]:
        root = self.compose()
        if root is None:
            return None, self.diags
        bank = self.bank(root)
        return bank, self.diags

    # -- the bank --------------------------------------------------------------------------------
    def bank(self, root: yaml.Node) -> Bank | None:
        if not isinstance(root, yaml.MappingNode):
            self.error(root.start_mark.line + 1,
                       "the top level must be a mapping with 'title' and 'questions', "
                       f"not a {kind_of(root)}")
            return None
        fields = self.mapping(root)
        for key, (_, line) in fields.items():
            if key not in BANK_FIELDS:
                self.error(line, f"unknown bank field '{key}'{suggest(key, BANK_FIELDS)}")
        title = ""
        if "title" not in fields:
            self.error(root.start_mark.line + 1, "missing required field 'title'")
        else:
            title = self.text_field(fields["title"], "title") or ""
        tags = self.tags(fields.get("tags"))
        if "questions" not in fields:
            self.error(root.start_mark.line + 1, "missing required field 'questions'")
            return None
        qnode, qline = fields["questions"]
        if isinstance(qnode, yaml.ScalarNode) and qnode.tag.endswith(":null"):
            self.error(qline, "'questions' is empty; expected a list of questions")
            return None
        if not isinstance(qnode, yaml.SequenceNode):
            self.error(qline, f"'questions' must be a list, not a {kind_of(qnode)}")
            return None
        if not qnode.value:
            self.warn(qline, "the bank has no questions")
        questions = []
        for item in qnode.value:
            q = self.question(item, tags)
            if q is not None:
                questions.append(q)
        seen: dict[str, int] = {}
        unique = []
        for q in questions:
            if q.id in seen:
                self.error(q.line, f"duplicate id '{q.id}' (first defined at line {seen[q.id]})")
                continue
            seen[q.id] = q.line
            unique.append(q)
        return Bank(self.name, title, tags, tuple(unique))

    # -- one question ----------------------------------------------------------------------------
    def question(self, node: yaml.Node, bank_tags: tuple[str, ...]) -> Question | None:
        qline = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            self.error(qline, f"a question must be a mapping with id, type, prompt and answer, not a {kind_of(node)}")
            return None
        fields = self.mapping(node)
        before = self.error_count()
        missing = [f for f in REQUIRED if f not in fields]
        for name in missing:
            self.error(qline, f"missing required field '{name}'")
        qid, qtype = self.identity(fields)
        where = f"question '{qid}'" if qid else "question"
        self.check_fields(fields, qtype, where)

        prompt = self.text_field(fields["prompt"], "prompt") if "prompt" in fields else ""
        explanation = ""
        if "explanation" in fields:
            explanation = self.text_field(fields["explanation"], "explanation", required=False) or ""
        if not explanation.strip():
            self.warn(qline, f"{where} has no explanation")
        source = self.text_field(fields["source"], "source") or "" if "source" in fields else ""
        own_tags = self.tags(fields.get("tags"))
        difficulty = self.difficulty(fields)

        extra: dict[str, Any] = {"group": self.group(fields)}
        self.param_fields(fields, extra)  # before the answer: a numeric answer may be an expression over them
        answer: Any = None
        if qtype and "answer" in fields:
            answer = getattr(self, "answer_" + qtype)(fields, extra)
        self.check_placeholders(fields, extra, prompt or "", explanation)

        if self.error_count() > before or not qtype or missing:
            return None
        tags = tuple(dict.fromkeys(bank_tags + own_tags))
        return Question(
            id=qid, type=qtype, prompt=prompt or "", answer=answer, bank=self.name, line=qline,
            topic=tags[0] if tags else "general", explanation=explanation, tags=tags,
            difficulty=difficulty, source=source, **extra,
        )

    def error_count(self) -> int:
        return sum(1 for d in self.diags if d.severity == "error")

    def identity(self, fields: dict[str, tuple[yaml.Node, int]]) -> tuple[str, str]:
        """The question's id and type ("" when missing or invalid, after reporting it)."""
        qid = ""
        if "id" in fields:
            qid = self.text_field(fields["id"], "id") or ""
            if qid and not ID_RE.match(qid):
                self.error(fields["id"][1], f"id '{qid}' may only use a-z, 0-9, '.', '_' and '-'")
        qtype = ""
        if "type" in fields:
            qtype = self.text_field(fields["type"], "type") or ""
            if qtype and qtype not in TYPES:
                self.error(fields["type"][1], f"unknown type '{qtype}'{suggest(qtype, TYPES)}; "
                                              f"expected one of {', '.join(TYPES)}")
                qtype = ""
        return qid, qtype

    def check_fields(self, fields: dict[str, tuple[yaml.Node, int]], qtype: str, where: str) -> None:
        for key, (_, line) in fields.items():
            if key not in ALL_QUESTION_FIELDS:
                self.error(line, f"unknown field '{key}' in {where}{suggest(key, ALL_QUESTION_FIELDS)}")
            elif qtype and key not in COMMON_FIELDS and key not in TYPE_FIELDS[qtype]:
                self.error(line, f"field '{key}' does not apply to type '{qtype}'")

    def difficulty(self, fields: dict[str, tuple[yaml.Node, int]]) -> int:
        if "difficulty" not in fields:
            return 2
        dnode, dline = fields["difficulty"]
        d = self.value(dnode)
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 3:
            self.error(dline, f"difficulty must be 1, 2 or 3, not {describe(d)}")
            return 2
        return d
