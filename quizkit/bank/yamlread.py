"""The YAML side of the loader: compose a bank with line numbers, build values safely, and report problems.

`BankReader` knows nothing about questions; `answers.AnswerReader` and `load._FileLoader` build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from quizkit.bank.model import Diagnostic

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
FOLDED_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
MAX_EXPANDED_NODES = 2_000_000  # alias expansion bound: a "billion laughs" bank is refused, not expanded
MAX_NESTING = 100
# Plain scalars that YAML 1.1 silently turns into booleans.
BOOL_TRAPS = {"yes", "no", "on", "off", "y", "n"}
# A LaTeX command inside a double-quoted string: "\frac" becomes a form feed and "rac".
LATEX_IN_DQ = re.compile(r"\\(?:[abefnrtv0]|x[0-9a-fA-F]{2}|[NLP_ ])[a-zA-Z]")


class BankReader:
    """Reads one bank file; every problem becomes a Diagnostic with its line."""

    def __init__(self, path: Path):
        self.path = path
        self.name = str(path)
        self.diags: list[Diagnostic] = []
        self.text = ""
        self.unbuilt: set[int] = set()  # lines of values refused by value(): reported once, not guessed at again

    # -- reporting -------------------------------------------------------------------------------
    def error(self, line: int, message: str) -> None:
        if line in self.unbuilt:  # a check of a value that could not be built ("not option letters: <invalid>")
            return
        self.diags.append(Diagnostic(self.name, line, "error", message))

    def warn(self, line: int, message: str) -> None:
        self.diags.append(Diagnostic(self.name, line, "warning", message))

    # -- reading ------------------------------------------------------------------------------------
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
            if "tag:yaml.org,2002:python/" in str(err.problem or ""):
                self.error(mark.line + 1, "cannot build value: Python tags (!!python/...) are not allowed; a bank holds "
                                          "plain values (text, numbers, lists, mappings)")
            else:
                self.error(mark.line + 1, f"cannot build value: {err.problem}")
            self.unbuilt.add(mark.line + 1)
            return INVALID
        except RecursionError:
            self.error(node.start_mark.line + 1, "value nested too deeply")
            return INVALID

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

    def text_field(self, entry: tuple[yaml.Node, int], name: str, *, required: bool = True) -> str | None:
        node, line = entry
        value = self.value(node)
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)) or value is INVALID:
            if value is not INVALID:
                self.error(line, f"'{name}' must be text, not {describe(value)}")
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


class _Invalid:
    def __repr__(self) -> str:
        return "<invalid>"


INVALID: Any = _Invalid()


def _too_deep(text: str) -> int | None:
    """The line where nesting passes MAX_NESTING, if it does, walked exactly over the parser's events. libyaml's
    event parser keeps its own stack (only its composer recurses), so it walks first and fast; where it refuses
    the document in its own words, PyYAML's pure-Python parser walks it again, and the user gets quizkit's
    message either way."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return _walk_depth(text, loader)
        except yaml.YAMLError:
            pass
    try:
        return _walk_depth(text, yaml.SafeLoader)
    except yaml.YAMLError:
        return None  # the syntax error comes first; compose reports it


def _walk_depth(text: str, loader: Any) -> int | None:
    depth = 0
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, opening):
            depth += 1
            if depth > MAX_NESTING:
                return event.start_mark.line + 1 if event.start_mark else 1
        elif isinstance(event, closing):
            depth -= 1
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


def kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return f"scalar ('{node.value}')"


def describe(value: Any) -> str:
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


def suggest(word: str, choices: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""
