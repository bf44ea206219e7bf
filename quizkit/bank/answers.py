"""Answers by question type: options and letters, true/false words, numbers, expressions, key points.

`AnswerReader.answer_<type>(fields, extra)` returns the answer (None after reporting an error) and puts the
type's other fields into `extra`, which becomes keyword arguments of `Question`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from quizkit.bank.model import LETTERS, SCORING_SCHEMES
from quizkit.bank.yamlread import BankReader, describe, suggest

TRUE_WORDS = {"true", "t", "对", "正确", "yes", "y"}
FALSE_WORDS = {"false", "f", "错", "错误", "no", "n"}
VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AnswerReader(BankReader):
    # -- answers by type -------------------------------------------------------------------------
    def options(self, fields: dict, extra: dict) -> tuple[str, ...] | None:
        if "options" not in fields:
            self.error(fields["answer"][1], "missing required field 'options' (a choice question lists 2-8 options)")
            return None
        node, line = fields["options"]
        value = self.value(node)
        if not isinstance(value, list):
            self.error(line, f"'options' must be a list, not {describe(value)}")
            return None
        if not 2 <= len(value) <= len(LETTERS):
            self.error(line, f"a choice question needs 2 to {len(LETTERS)} options, not {len(value)}")
            return None
        options = []
        for item, inode in zip(value, node.value):
            if isinstance(item, (list, dict)) or item is None:
                self.error(inode.start_mark.line + 1, f"an option must be text, not {describe(item)}")
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
            self.error(line, f"the answer must be option letters, not {describe(value)}")
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
                self.error(sline, f"unknown scoring '{scheme}'{suggest(str(scheme), SCORING_SCHEMES)}; "
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

    def param_answer(self, fields: dict, extra: dict) -> str | None:
        """An answer written as an expression over `params:` (see paramspec.py); None: not one."""
        return None

    def answer_true_false(self, fields: dict, extra: dict) -> bool | str | None:
        node, line = fields["answer"]
        value = self.value(node)
        if isinstance(value, str) and value.strip().lower() not in TRUE_WORDS | FALSE_WORDS:
            expr = self.param_answer(fields, extra)
            if expr is not None:
                return expr or None
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        self.error(line, f"a true_false answer must be true or false (or 对/错, 正确/错误, T/F), "
                         f"not {describe(value)}")
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
            self.error(line, f"'{name}' must be a number, not {describe(value)}")
            return None
        if not math.isfinite(value):
            self.error(line, f"'{name}' must be a finite number, not {value}")
            return None
        return float(value)

    def answer_numeric(self, fields: dict, extra: dict) -> float | str | None:
        expr = self.param_answer(fields, extra)
        answer: float | str | None = (expr or None) if expr is not None else self.number(fields, "answer")
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
            self.error(line, f"a symbolic answer must be an expression in SymPy syntax, not {describe(value)}")
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

    # -- short answers: the rubric (key points and examples) is read by quizkit/bank/rubric.py ---------
    def answer_short_answer(self, fields: dict, extra: dict) -> str | None:
        from quizkit.bank.rubric import parse_short_answer

        return parse_short_answer(self, fields, extra)
