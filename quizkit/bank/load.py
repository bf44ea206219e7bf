"""Read YAML banks into `Question`s, keeping the line of every question and field.

Structural checks live here because the quiz refuses a broken bank too. Checks that need SymPy or compare
questions with each other (near-duplicate prompts) live in `validate.py`, which the quiz path never imports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quizkit.bank.files import bank_files
from quizkit.bank.model import LETTERS, SCORING_SCHEMES, TYPES, Bank, Diagnostic, KeyPoint, Question
from quizkit.errors import QuizkitError

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
FOLDED_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
ID_RE = re.compile(r"^[a-z0-9._-]+$")
VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_EXPANDED_NODES = 2_000_000  # alias expansion bound: a "billion laughs" bank is refused, not expanded
MAX_NESTING = 100

BANK_FIELDS = {"title", "tags", "questions", "description"}
COMMON_FIELDS = {"id", "type", "prompt", "answer", "explanation", "tags", "difficulty", "source"}
TYPE_FIELDS = {
    "single": {"options"},
    "multiple": {"options", "scoring"},
    "true_false": set(),
    "numeric": {"tolerance", "rel_tolerance", "unit"},
    "symbolic": {"variables"},
    "short_answer": {"key_points"},
}
ALL_QUESTION_FIELDS = COMMON_FIELDS.union(*TYPE_FIELDS.values())
REQUIRED = ("id", "type", "prompt", "answer")

TRUE_WORDS = {"true", "t", "对", "正确", "yes", "y"}
FALSE_WORDS = {"false", "f", "错", "错误", "no", "n"}
# Plain scalars that YAML 1.1 silently turns into booleans.
BOOL_TRAPS = {"yes", "no", "on", "off", "y", "n"}
# A LaTeX command inside a double-quoted string: "\frac" becomes a form feed and "rac".
LATEX_IN_DQ = re.compile(r"\\(?:[abefnrtv0]|x[0-9a-fA-F]{2}|[NLP_ ])[a-zA-Z]")


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


class _FileLoader:
    def __init__(self, path: Path):
        self.path = path
        self.name = str(path)
        self.diags: list[Diagnostic] = []
        self.text = ""

    # -- reporting -------------------------------------------------------------------------------
    def error(self, line: int, message: str) -> None:
        self.diags.append(Diagnostic(self.name, line, "error", message))

    def warn(self, line: int, message: str) -> None:
        self.diags.append(Diagnostic(self.name, line, "warning", message))

    # -- reading ---------------------------------------------------------------------------------
    def load(self) -> tuple[Bank | None, list[Diagnostic]]:
        root = self.compose()
        if root is None:
            return None, self.diags
        bank = self.bank(root)
        return bank, self.diags

    def compose(self) -> yaml.Node | None:
        try:
            raw = self.path.read_bytes()
        except OSError as err:
            self.error(1, f"cannot read file: {err.strerror}")
            return None
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            self.error(line, f"not UTF-8 (byte 0x{raw[err.start]:02x} at offset {err.start}); save the file as UTF-8")
            return None
        if not self.text.strip() or all(
                not ln.strip() or ln.lstrip().startswith("#") for ln in self.text.splitlines()):
            self.error(1, "empty bank: expected a mapping with 'title' and 'questions'")
            return None
        deep = _too_deep(self.text) if _nesting_bound(self.text) > MAX_NESTING else None
        node = None
        try:
            node = None if deep is not None else yaml.compose(self.text, Loader=_Loader)
        except yaml.YAMLError as err:
            deep = _too_deep(self.text)  # a parser's own depth limit is reported in quizkit's words
            if deep is None:
                self.syntax_error(err)
                return None
        deep = deep if node is None else _node_depth_line(node)
        if deep is not None:
            self.error(deep, f"nested deeper than {MAX_NESTING} levels; a bank never needs that")
            return None
        if node is None:
            self.error(1, "empty bank: expected a mapping with 'title' and 'questions'")
            return None
        if _expanded_size(node) > MAX_EXPANDED_NODES:
            self.error(1, "aliases expand to too many nodes (a YAML bomb?); write the content out instead")
            return None
        return node

    def syntax_error(self, err: yaml.YAMLError) -> None:
        if isinstance(err, yaml.MarkedYAMLError):
            mark = err.problem_mark or err.context_mark
            line = mark.line + 1 if mark else 1
            context = ""
            if err.context and err.context_mark and err.context_mark.line + 1 != line:
                context = f" ({err.context} started at line {err.context_mark.line + 1})"
            self.error(line, f"YAML syntax: {err.problem or err.context}{context}")
        elif isinstance(err, yaml.reader.ReaderError):
            line = self.text.count("\n", 0, err.position) + 1
            char = err.character if isinstance(err.character, int) else ord(err.character)
            self.error(line, f"YAML syntax: character U+{char:04X} is not allowed in YAML")
        else:
            self.error(1, f"YAML syntax: {err}")
        return None

    def value(self, node: yaml.Node) -> Any:
        """Construct a plain Python value from a node, refusing any tag a safe loader would not build."""
        self.check_traps(node)
        constructor = yaml.constructor.SafeConstructor()
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as err:
            mark = err.problem_mark or node.start_mark
            self.error(mark.line + 1, f"cannot build value: {err.problem}")
            return _INVALID
        except RecursionError:
            self.error(node.start_mark.line + 1, "value nested too deeply")
            return _INVALID

    def check_traps(self, root: yaml.Node) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(n for pair in node.value for n in pair)
            elif isinstance(node, yaml.ScalarNode):
                self.check_scalar(node)

    def check_scalar(self, node: yaml.ScalarNode) -> None:
        line = node.start_mark.line + 1
        if not node.style and node.tag.endswith(":bool") and node.value.lower() in BOOL_TRAPS:
            self.warn(line, f"'{node.value}' is read as the boolean "
                            f"{str(node.value.lower() in ('yes', 'on', 'y')).lower()} by YAML 1.1; "
                            "quote it, or write true/false")
        elif node.style == '"':
            source = self.text[node.start_mark.index:node.end_mark.index]
            if LATEX_IN_DQ.search(source):
                self.warn(line, "a backslash in a double-quoted string is an escape ('\\frac' becomes a form "
                                "feed); use single quotes or a block scalar for LaTeX")

    def mapping(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, int]]:
        """Keys of a mapping node -> (value node, line of the key); duplicate keys are errors."""
        out: dict[str, tuple[yaml.Node, int]] = {}
        for knode, vnode in node.value:
            line = knode.start_mark.line + 1
            if not isinstance(knode, yaml.ScalarNode):
                self.error(line, "a key must be a plain name")
                continue
            key = knode.value
            if key == "<<":
                self.error(line, "merge keys ('<<') are not supported; write the fields out")
                continue
            if key in out:
                self.error(line, f"duplicate key '{key}' (first at line {out[key][1]})")
                continue
            out[key] = (vnode, line)
        return out

    # -- the bank --------------------------------------------------------------------------------
    def bank(self, root: yaml.Node) -> Bank | None:
        if not isinstance(root, yaml.MappingNode):
            self.error(root.start_mark.line + 1,
                       "the top level must be a mapping with 'title' and 'questions', "
                       f"not a {_kind(root)}")
            return None
        fields = self.mapping(root)
        for key, (_, line) in fields.items():
            if key not in BANK_FIELDS:
                self.error(line, f"unknown bank field '{key}'{_suggest(key, BANK_FIELDS)}")
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
            self.error(qline, f"'questions' must be a list, not a {_kind(qnode)}")
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

    def text_field(self, entry: tuple[yaml.Node, int], name: str, *, required: bool = True) -> str | None:
        node, line = entry
        value = self.value(node)
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)) or value is _INVALID:
            if value is not _INVALID:
                self.error(line, f"'{name}' must be text, not {_describe(value)}")
            return None
        text = str(value)
        if isinstance(node, yaml.ScalarNode) and node.style == ">":
            text = FOLDED_CJK_SPACE.sub("", text)  # folding joins lines with a space, which Chinese never has
        if required and not text.strip():
            self.error(line, f"'{name}' is empty")
        return text

    def tags(self, entry: tuple[yaml.Node, int] | None) -> tuple[str, ...]:
        if entry is None:
            return ()
        value = self.value(entry[0])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
            self.error(entry[1], "'tags' must be a list of names, e.g. [activation, sigmoid]")
            return ()
        return tuple(t.strip() for t in value)

    # -- one question ----------------------------------------------------------------------------
    def question(self, node: yaml.Node, bank_tags: tuple[str, ...]) -> Question | None:
        qline = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            self.error(qline, f"a question must be a mapping with id, type, prompt and answer, not a {_kind(node)}")
            return None
        fields = self.mapping(node)
        before = len([d for d in self.diags if d.severity == "error"])
        missing = [f for f in REQUIRED if f not in fields]
        for name in missing:
            self.error(qline, f"missing required field '{name}'")

        qid = ""
        if "id" in fields:
            qid = self.text_field(fields["id"], "id") or ""
            if qid and not ID_RE.match(qid):
                self.error(fields["id"][1], f"id '{qid}' may only use a-z, 0-9, '.', '_' and '-'")
        where = f"question '{qid}'" if qid else "question"

        qtype = ""
        if "type" in fields:
            qtype = self.text_field(fields["type"], "type") or ""
            if qtype and qtype not in TYPES:
                self.error(fields["type"][1], f"unknown type '{qtype}'{_suggest(qtype, TYPES)}; "
                                              f"expected one of {', '.join(TYPES)}")
                qtype = ""

        for key, (_, line) in fields.items():
            if key not in ALL_QUESTION_FIELDS:
                self.error(line, f"unknown field '{key}' in {where}{_suggest(key, ALL_QUESTION_FIELDS)}")
            elif qtype and key not in COMMON_FIELDS and key not in TYPE_FIELDS[qtype]:
                self.error(line, f"field '{key}' does not apply to type '{qtype}'")

        prompt = self.text_field(fields["prompt"], "prompt") if "prompt" in fields else ""
        explanation = ""
        if "explanation" in fields:
            explanation = self.text_field(fields["explanation"], "explanation", required=False) or ""
        if not explanation.strip():
            self.warn(qline, f"{where} has no explanation")
        source = self.text_field(fields["source"], "source") or "" if "source" in fields else ""
        own_tags = self.tags(fields.get("tags"))
        difficulty = 2
        if "difficulty" in fields:
            dnode, dline = fields["difficulty"]
            d = self.value(dnode)
            if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 3:
                self.error(dline, f"difficulty must be 1, 2 or 3, not {_describe(d)}")
            else:
                difficulty = d

        extra: dict[str, Any] = {}
        answer: Any = None
        if qtype and "answer" in fields:
            answer = getattr(self, "answer_" + qtype)(fields, extra)

        errors_now = len([d for d in self.diags if d.severity == "error"])
        if errors_now > before or not qtype or missing:
            return None
        tags = tuple(dict.fromkeys(bank_tags + own_tags))
        return Question(
            id=qid, type=qtype, prompt=prompt or "", answer=answer, bank=self.name, line=qline,
            topic=tags[0] if tags else "general", explanation=explanation, tags=tags,
            difficulty=difficulty, source=source, **extra,
        )

    # -- answers by type -------------------------------------------------------------------------
    def options(self, fields: dict, extra: dict) -> tuple[str, ...] | None:
        if "options" not in fields:
            self.error(fields["answer"][1], "missing required field 'options' (a choice question lists 2-8 options)")
            return None
        node, line = fields["options"]
        value = self.value(node)
        if not isinstance(value, list):
            self.error(line, f"'options' must be a list, not {_describe(value)}")
            return None
        if not 2 <= len(value) <= len(LETTERS):
            self.error(line, f"a choice question needs 2 to {len(LETTERS)} options, not {len(value)}")
            return None
        options = []
        for item, inode in zip(value, node.value):
            if isinstance(item, (list, dict)) or item is None:
                self.error(inode.start_mark.line + 1, f"an option must be text, not {_describe(item)}")
                return None
            options.append(str(item).strip())
        seen: dict[str, int] = {}
        for i, (opt, inode) in enumerate(zip(options, node.value)):
            key = " ".join(opt.lower().split())
            if key in seen:
                self.warn(inode.start_mark.line + 1,
                          f"option {LETTERS[i]} duplicates option {LETTERS[seen[key]]}: '{opt}'")
            else:
                seen[key] = i
        extra["options"] = tuple(options)
        return extra["options"]

    def letters(self, value: Any, line: int) -> list[str] | None:
        if isinstance(value, str):
            items = [c for c in re.split(r"[\s,，、]+|(?<=[A-Za-z])(?=[A-Za-z])", value.strip()) if c]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            items = [v.strip() for v in value]
        else:
            self.error(line, f"the answer must be option letters, not {_describe(value)}")
            return None
        return [v.upper() for v in items]

    def check_letters(self, letters: list[str], options: tuple[str, ...], line: int) -> bool:
        ok = True
        valid = LETTERS[: len(options)]
        for letter in letters:
            if len(letter) != 1 or letter not in valid:
                self.error(line, f"answer '{letter}' is not an option (options are {valid[0]}-{valid[-1]})")
                ok = False
        return ok

    def answer_single(self, fields: dict, extra: dict) -> str | None:
        options = self.options(fields, extra)
        node, line = fields["answer"]
        letters = self.letters(self.value(node), line)
        if options is None or letters is None:
            return None
        if len(letters) != 1:
            self.error(line, f"a 'single' question has exactly one answer, got {len(letters)} "
                             "(use type: multiple)")
            return None
        return letters[0] if self.check_letters(letters, options, line) else None

    def answer_multiple(self, fields: dict, extra: dict) -> tuple[str, ...] | None:
        options = self.options(fields, extra)
        node, line = fields["answer"]
        letters = self.letters(self.value(node), line)
        if "scoring" in fields:
            snode, sline = fields["scoring"]
            scheme = self.value(snode)
            if scheme not in SCORING_SCHEMES:
                self.error(sline, f"unknown scoring '{scheme}'{_suggest(str(scheme), SCORING_SCHEMES)}; "
                                  f"expected one of {', '.join(SCORING_SCHEMES)}")
            else:
                extra["scoring"] = scheme
        if options is None or letters is None:
            return None
        if not letters:
            self.error(line, "a 'multiple' answer needs at least one letter")
            return None
        if len(set(letters)) != len(letters):
            self.error(line, "an answer letter is listed twice")
            return None
        return tuple(sorted(letters)) if self.check_letters(letters, options, line) else None

    def answer_true_false(self, fields: dict, extra: dict) -> bool | None:
        node, line = fields["answer"]
        value = self.value(node)
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        self.error(line, f"a true_false answer must be true or false (or 对/错, 正确/错误, T/F), "
                         f"not {_describe(value)}")
        return None

    def number(self, fields: dict, name: str) -> float | None:
        node, line = fields[name]
        value = self.value(node)
        if isinstance(value, str):
            try:
                number = float(value.replace(",", "").replace("_", ""))
            except ValueError:
                pass
            else:
                self.warn(line, f"'{value}' is read as text by YAML 1.1; write it as a number "
                                "(e.g. 1.0e-3, not 1e-3)")
                return number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(line, f"'{name}' must be a number, not {_describe(value)}")
            return None
        if not math.isfinite(value):
            self.error(line, f"'{name}' must be a finite number, not {value}")
            return None
        return float(value)

    def answer_numeric(self, fields: dict, extra: dict) -> float | None:
        answer = self.number(fields, "answer")
        for name in ("tolerance", "rel_tolerance"):
            if name in fields:
                tol = self.number(fields, name)
                if tol is not None and tol < 0:
                    self.error(fields[name][1], f"'{name}' must not be negative")
                elif tol is not None:
                    extra[name] = tol
        if "unit" in fields:
            extra["unit"] = self.text_field(fields["unit"], "unit", required=False) or ""
        return answer

    def answer_symbolic(self, fields: dict, extra: dict) -> str | None:
        node, line = fields["answer"]
        value = self.value(node)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(line, f"a symbolic answer must be an expression in SymPy syntax, not {_describe(value)}")
            return None
        if "variables" not in fields:
            self.error(line, "a symbolic question needs 'variables', e.g. variables: [s]")
            return None
        vnode, vline = fields["variables"]
        variables = self.value(vnode)
        if isinstance(variables, str):
            variables = [variables]
        if not isinstance(variables, list) or not all(isinstance(v, str) and VAR_RE.match(v) for v in variables):
            self.error(vline, "'variables' must be a list of names, e.g. [s] or [n_in, n_out]")
            return None
        extra["variables"] = tuple(variables)
        return str(value).strip()

    def answer_short_answer(self, fields: dict, extra: dict) -> str | None:
        answer = self.text_field(fields["answer"], "answer")
        if "key_points" not in fields:
            self.error(fields["answer"][1], "a short answer needs 'key_points', a rubric like "
                                            "[{points: 1, any: [遗忘门, forget gate]}]")
            return None
        node, line = fields["key_points"]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(line, "'key_points' must be a non-empty list of {points, any: [...]}")
            return None
        points = []
        for item in node.value:
            kp = self.key_point(item)
            if kp is None:
                return None
            points.append(kp)
        extra["key_points"] = tuple(points)
        return answer

    def key_point(self, node: yaml.Node) -> KeyPoint | None:
        line = node.start_mark.line + 1
        value = self.value(node)
        if not isinstance(value, dict):
            self.error(line, "a key point must be a mapping like {points: 1, any: [遗忘门, forget gate]}")
            return None
        unknown = set(value) - {"points", "any", "label"}
        if unknown:
            self.error(line, f"unknown key point field '{sorted(map(str, unknown))[0]}' "
                             "(expected points, any, label)")
            return None
        pts = value.get("points", 1)
        if isinstance(pts, bool) or not isinstance(pts, (int, float)) or pts <= 0:
            self.error(line, f"key point 'points' must be a positive number, not {_describe(pts)}")
            return None
        phrasings = value.get("any")
        if isinstance(phrasings, str):
            phrasings = [phrasings]
        if (not isinstance(phrasings, list) or not phrasings
                or not all(isinstance(p, (str, int, float)) and not isinstance(p, bool) and str(p).strip()
                           for p in phrasings)):
            self.error(line, "key point 'any' must be a non-empty list of accepted phrasings")
            return None
        phrasings = [str(p).strip() for p in phrasings]
        label = value.get("label")
        return KeyPoint(float(pts), tuple(phrasings), str(label).strip() if label else phrasings[0])


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


_INVALID: Any = _Invalid()


def _too_deep(text: str) -> int | None:
    """The line where nesting passes MAX_NESTING, if it does, walked exactly with PyYAML's pure-Python parser,
    which keeps its own stack: some libyaml builds crash the interpreter on a deep document, others refuse it in
    their own words, and the user gets quizkit's message either way."""
    depth = 0
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, opening):
                depth += 1
                if depth > MAX_NESTING:
                    return event.start_mark.line + 1 if event.start_mark else 1
            elif isinstance(event, closing):
                depth -= 1
    except yaml.YAMLError:
        return None  # the syntax error comes first; compose reports it
    return None


_FLOW = re.compile(r"[\[\]{}]")


def _nesting_bound(text: str) -> int:
    """A cheap estimate of the nesting depth (running bracket depth plus the deepest indentation) that keeps a
    deep document away from libyaml's recursive composer; ordinary banks stay far below MAX_NESTING, so only a
    suspicious file pays for the exact walk."""
    flow = top = 0
    for match in _FLOW.finditer(text):
        flow = flow + 1 if match.group() in "[{" else max(0, flow - 1)
        top = max(top, flow)
    block = max((len(line) - len(line.lstrip(" -?:")) for line in text.splitlines()), default=0)
    return top + block


def _node_depth_line(root: yaml.Node) -> int | None:
    """The line where the composed document passes MAX_NESTING, if it does (iterative: no recursion)."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return node.start_mark.line + 1
        if id(node) in seen or not isinstance(node, yaml.CollectionNode):
            continue
        seen.add(id(node))
        for item in node.value:
            children = item if isinstance(item, tuple) else (item,)
            stack.extend((child, depth + 1) for child in children)
    return None


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once aliases are expanded, computed over the DAG without expanding it."""
    memo: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in memo:
            continue
        if isinstance(node, yaml.ScalarNode):
            memo[id(node)] = 1
            continue
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
        if done:
            memo[id(node)] = min(MAX_EXPANDED_NODES + 1, 1 + sum(memo[id(c)] for c in children))
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in memo)
    return memo[id(root)]


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return f"scalar ('{node.value}')"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"'{value}'"


def _suggest(word: str, choices: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""
