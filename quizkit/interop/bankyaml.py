"""An imported bank: questions as plain data, the notes about what could not be kept, and its YAML text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from quizkit.interop.common import Note, number

# The order a bank writes a question's fields in (the shipped banks' order).
FIELD_ORDER = ("id", "type", "prompt", "options", "answer", "scoring", "tolerance", "unit", "variables",
               "key_points", "examples", "explanation", "tags", "difficulty", "source")


@dataclass
class Draft:
    """What an importer built from one file."""

    path: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # category descriptions, in order
    ids: set[str] = field(default_factory=set)

    def note(self, line: int, qid: str, message: str) -> None:
        self.notes.append(Note(f"{self.path}:{line}", qid, message))

    def add(self, question: dict[str, Any], topic: str) -> None:
        tags = [t for t in question.pop("tags", []) if isinstance(t, str) and t.strip()]
        if topic:
            tags = [topic, *tags]
        question["tags"] = list(dict.fromkeys(t.strip() for t in tags))
        for name in ("answer", "tolerance"):
            if isinstance(question.get(name), float):
                question[name] = number(question[name])
        self.questions.append({k: question[k] for k in FIELD_ORDER if k in question and question[k] != ""})


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, so that LaTeX backslashes stay as written."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _flow_list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    flow = all(isinstance(v, (str, int, float)) and "\n" not in str(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow and len(value) < 12)


_Dumper.add_representer(list, _flow_list)


def _flow_dict(dumper: yaml.SafeDumper, value: dict) -> yaml.MappingNode:
    """A key point on one line, as the shipped banks write it; a question as a block."""
    flat = not {"id", "title"} & set(value) and all(
        isinstance(v, (str, int, float)) and "\n" not in str(v)
        or isinstance(v, list) and all(isinstance(x, (str, int, float)) and "\n" not in str(x) for x in v)
        for v in value.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flat)


_Dumper.add_representer(dict, _flow_dict)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)


def to_yaml(draft: Draft, title: str) -> str:
    """The bank file: one shared topic becomes the bank's tag; every question follows, a blank line apart."""
    topics = {q["tags"][0] if q.get("tags") else "" for q in draft.questions}
    bank_tags: list[str] = []
    questions = draft.questions
    if len(topics) == 1 and "" not in topics:
        bank_tags = [topics.pop()]
        questions = []
        for q in draft.questions:
            own = q["tags"][1:]
            questions.append({k: v for k, v in q.items() if k != "tags"} | ({"tags": own} if own else {}))
    head: dict[str, Any] = {"title": title}
    if bank_tags:
        head["tags"] = bank_tags
    out = [f"# Imported by `quizkit bank import` from {draft.path}\n", _dump(head), "questions:\n"]
    if not questions:
        out[-1] = "questions: []\n"
    for i, q in enumerate(questions):
        block = _dump([q])
        out.append(("\n" if i else "") + "".join("  " + line if line.strip() else line
                                                 for line in block.splitlines(keepends=True)))
    return "".join(out)
