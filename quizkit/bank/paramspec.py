"""Reading `group:`, `params:` and `where:`, and checking every `{{ expr }}` a parametrized question shows.

Only the shape is checked here (names, ranges, expressions that parse); evaluating the question over its
parameter space is the validator's job (quizkit.bank.validate), since the quiz path should not pay for it.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

import yaml

from quizkit.bank.answers import VAR_RE, AnswerReader
from quizkit.bank.model import Param
from quizkit.bank.params import placeholders, split_placeholder
from quizkit.bank.yamlread import INVALID, describe
from quizkit.safeexpr import FUNCTIONS, ExprError, parse

GROUP_RE = re.compile(r"^[a-z0-9-]+$")
PARAM_KINDS = ("int", "float", "choice")
MAX_ROUND = 12
Fields = dict[str, tuple[yaml.Node, int]]


class ParamSpecReader(AnswerReader):
    def group(self, fields: Fields) -> str:
        if "group" not in fields:
            return ""
        name = self.text_field(fields["group"], "group") or ""
        if name and not GROUP_RE.match(name):
            self.error(fields["group"][1], f"group '{name}' must be a lowercase slug of a-z, 0-9 and '-', "
                                           "e.g. softmax-before-ce")
            return ""
        return name

    def param_fields(self, fields: Fields, extra: dict[str, Any]) -> None:
        if "params" in fields:
            node, line = fields["params"]
            if not isinstance(node, yaml.MappingNode) or not node.value:
                self.error(line, "'params' must be a mapping of names to ranges, e.g. n: {int: [20, 64]}")
            else:
                params = [self.param(k, v) for k, v in node.value]
                if all(p is not None for p in params):
                    extra["params"] = tuple(p for p in params if p is not None)
        if "where" in fields:
            node, line = fields["where"]
            if "params" not in fields:
                self.error(line, "'where' needs 'params' to constrain")
                return
            value = self.value(node)
            conditions = [value] if isinstance(value, str) else value
            if not isinstance(conditions, list) or not conditions or not all(
                    isinstance(c, str) and c.strip() for c in conditions):
                self.error(line, "'where' must be a condition or a list of conditions, e.g. \"n + 2*p >= k\"")
                return
            if "params" in extra:  # else the params were reported, and every name would be unknown
                for cond in conditions:
                    self.expression(cond, [p.name for p in extra["params"]], line, "where")
            extra["where"] = tuple(c.strip() for c in conditions)

    def param(self, knode: yaml.Node, vnode: yaml.Node) -> Param | None:
        line = knode.start_mark.line + 1
        name = str(knode.value) if isinstance(knode, yaml.ScalarNode) else ""
        # A param may shadow the constants e and pi (matrix entries a..h are natural), not a function.
        if not VAR_RE.match(name) or keyword.iskeyword(name) or name in FUNCTIONS:
            why = " (a function of expressions)" if name in FUNCTIONS else ""
            self.error(line, f"parameter name '{name}' must be a plain name like n or lr{why}")
            return None
        value = self.value(vnode)
        hint = f"parameter '{name}': write {{int: [lo, hi]}}, {{float: [lo, hi], round: 3}} or {{choice: [a, b]}}"
        if not isinstance(value, dict):
            self.error(line, f"{hint}, not {describe(value)}")
            return None
        kinds = [k for k in value if k in PARAM_KINDS]
        unknown = sorted(str(k) for k in value if k not in (*PARAM_KINDS, "round"))
        if len(kinds) != 1 or unknown:
            self.error(line, f"{hint} (got {', '.join(map(str, value)) or 'nothing'})")
            return None
        kind = kinds[0]
        items = value[kind]
        if not isinstance(items, list) or not items or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            self.error(line, f"parameter '{name}': '{kind}' takes a list of numbers, not {describe(items)}")
            return None
        return self.param_range(name, kind, items, value.get("round", 4), "round" in value, line)

    def param_range(self, name: str, kind: str, items: list[Any], rnd: Any, has_round: bool,
                    line: int) -> Param | None:
        if kind != "choice":
            if len(items) != 2 or items[0] > items[1]:
                self.error(line, f"parameter '{name}': '{kind}' takes [low, high] with low <= high")
                return None
            if kind == "int" and not all(isinstance(v, int) for v in items):
                self.error(line, f"parameter '{name}': an int range has integer ends; use float: for decimals")
                return None
        if has_round and kind != "float":
            self.error(line, f"parameter '{name}': 'round' applies to float ranges only")
            return None
        if isinstance(rnd, bool) or not isinstance(rnd, int) or not 0 <= rnd <= MAX_ROUND:
            self.error(line, f"parameter '{name}': 'round' must be a whole number of decimals, 0-{MAX_ROUND}")
            return None
        return Param(name, kind, tuple(items), rnd)

    def expression(self, source: str, names: list[str], line: int, what: str) -> bool:
        try:
            parse(source, names)
        except ExprError as err:
            self.error(line, f"{what} '{source.strip()}': {err}")
            return False
        return True

    def check_placeholders(self, fields: Fields, extra: dict[str, Any], prompt: str, explanation: str) -> None:
        """Every `{{ expr :fmt }}` in the shown texts parses over the params (and there are params)."""
        if "params" in fields and "params" not in extra:
            return  # the params were reported; every name would be unknown
        names = [p.name for p in extra.get("params", ())]
        texts: list[tuple[str, str]] = [("prompt", prompt), ("explanation", explanation)]
        texts += [("options", o) for o in extra.get("options", ())]
        for name, text in texts:
            line = fields[name][1] if name in fields else 1
            for expr, spec in placeholders(text):
                if "params" not in fields:
                    self.error(line, f"{name} has '{{{{ {expr} }}}}' but the question has no params; declare "
                                     "them, or write the number itself")
                    return
                if self.expression(expr, names, line, f"{name} placeholder") and spec:
                    if not _formats(spec):
                        self.error(line, f"{name} placeholder '{{{{ {expr} :{spec} }}}}': ':{spec}' is not a "
                                         "number format (try :.3g or :.2f)")

    def param_answer(self, fields: Fields, extra: dict[str, Any]) -> str | None:
        """A numeric or true/false answer given as an expression over the params; None when it is not one."""
        node, line = fields["answer"]
        value = self.value(node)
        if "params" not in fields or not isinstance(value, str) or value is INVALID:
            return None
        if "params" not in extra:
            return ""  # the params themselves were reported
        names = [p.name for p in extra["params"]]
        return value.strip() if self.expression(value, names, line, "answer") else ""


def _formats(spec: str) -> bool:
    """A format spec that applies to a float or to an int (`:d` is fine for an int param)."""
    for sample in (1.5, 3):
        try:
            format(sample, spec)
            return True
        except ValueError:
            pass
    return False


__all__ = ["ParamSpecReader", "split_placeholder"]
