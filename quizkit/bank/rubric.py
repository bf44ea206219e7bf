"""Short-answer rubrics in a bank: read `key_points` and `examples`, and check that a rubric marks its own examples.

The YAML form of one key point (a claim):

    - label: L1 使权重稀疏           # shown as hit / missed
      points: 2                      # default 1
      any: [稀疏, 恰好为 0]          # one of these phrasings ...
      all: [[L1, 绝对值]]            # ... and one of each of these groups, in the same clause
      unless: [L2]                   # ... and none of these beside them (a misconception, the other role)
      enumeration: false             # true: naming the items is the claim, so a bare keyword list may hit it

and of one example:  `- {answer: "L1 使权重稀疏", score: [0.3, 0.5]}` (a range) or `score: 0` (at most / exactly).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml

from quizkit.bank.model import Diagnostic, Example, KeyPoint, Question

if TYPE_CHECKING:  # pragma: no cover
    from quizkit.bank.yamlread import BankReader

KEY_POINT_FIELDS = ("points", "any", "all", "unless", "label", "enumeration")
GOOD = 0.6  # an example whose low end reaches this is a good answer
WRONG = 0.3  # a wrong example must be held at or below this
TOLERANCE = 1e-6
EXAMPLE_HINT = "e.g. {answer: '...', score: [0.8, 1]}"


def parse_short_answer(loader: BankReader, fields: dict, extra: dict) -> str | None:
    """The loader's hook for `type: short_answer`: the model answer; fills extra key_points and examples."""
    answer = loader.text_field(fields["answer"], "answer")
    if "key_points" not in fields:
        loader.error(fields["answer"][1], "a short answer needs 'key_points', a rubric like "
                                          "[{points: 1, any: [遗忘门, forget gate]}]")
        return None
    node, line = fields["key_points"]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        loader.error(line, "'key_points' must be a non-empty list of {points, any: [...]}")
        return None
    points = []
    for item in node.value:
        kp = key_point(loader, item)
        if kp is None:
            return None
        points.append(kp)
    extra["key_points"] = tuple(points)
    if "examples" in fields:
        examples = parse_examples(loader, *fields["examples"])
        if examples is None:
            return None
        extra["examples"] = examples
    return answer


def _phrasings(value: Any) -> list[str] | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = [value]
    if (not isinstance(value, list) or not value
            or not all(isinstance(p, (str, int, float)) and not isinstance(p, bool) and str(p).strip()
                       for p in value)):
        return None
    return [str(p).strip() for p in value]


def key_point(loader: BankReader, node: yaml.Node) -> KeyPoint | None:
    line = node.start_mark.line + 1
    value = loader.value(node)
    if not isinstance(value, dict):
        loader.error(line, "a key point must be a mapping like {points: 1, any: [遗忘门, forget gate]}")
        return None
    unknown = set(value) - set(KEY_POINT_FIELDS)
    if unknown:
        loader.error(line, f"unknown key point field '{sorted(map(str, unknown))[0]}' "
                           f"(expected {', '.join(KEY_POINT_FIELDS)})")
        return None
    pts = value.get("points", 1)
    if isinstance(pts, bool) or not isinstance(pts, (int, float)) or pts <= 0:
        loader.error(line, f"key point 'points' must be a positive number, not {pts!r}")
        return None
    phrasings = _phrasings(value["any"]) if "any" in value else []
    if phrasings is None or (not phrasings and "all" not in value):
        loader.error(line, "key point 'any' must be a non-empty list of accepted phrasings")
        return None
    groups: list[list[str]] = []
    raw_all = value.get("all", [])
    if not isinstance(raw_all, list) or ("all" in value and not raw_all):
        loader.error(line, "key point 'all' must be a list of groups, e.g. all: [[L1, 绝对值], [稀疏, 恰好为 0]]")
        return None
    for group in raw_all:
        parsed = _phrasings(group)
        if parsed is None:
            loader.error(line, "each group of 'all' must be a non-empty list of phrasings, e.g. [L1, 绝对值]")
            return None
        groups.append(parsed)
    unless = _phrasings(value["unless"]) if "unless" in value else []
    if unless is None:
        loader.error(line, "key point 'unless' must be a list of phrasings that void the point")
        return None
    enumeration = value.get("enumeration", False)
    if not isinstance(enumeration, bool):
        loader.error(line, "key point 'enumeration' must be true or false")
        return None
    label = value.get("label")
    first = phrasings[0] if phrasings else " + ".join(g[0] for g in groups)
    return KeyPoint(float(pts), tuple(phrasings), str(label).strip() if label else first,
                    tuple(tuple(g) for g in groups), tuple(unless), enumeration)


def parse_examples(loader: BankReader, node: yaml.Node, line: int) -> tuple[Example, ...] | None:
    if not isinstance(node, yaml.SequenceNode):
        loader.error(line, f"'examples' must be a list of answers with their expected score, {EXAMPLE_HINT}")
        return None
    out = []
    for item in node.value:
        iline = item.start_mark.line + 1
        value = loader.value(item)
        if not isinstance(value, dict) or set(value) - {"answer", "score", "note"} or "answer" not in value:
            loader.error(iline, f"an example is a mapping with 'answer' and 'score' (and an optional 'note'), "
                                f"{EXAMPLE_HINT}")
            return None
        answer = value["answer"]
        rng = value.get("score")
        if isinstance(rng, (int, float)) and not isinstance(rng, bool):
            rng = [0.0, rng] if rng <= WRONG else [rng, rng]
        if (not isinstance(answer, str) or not answer.strip() or not isinstance(rng, list) or len(rng) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 1 for x in rng)
                or rng[0] > rng[1]):
            loader.error(iline, "an example needs a non-empty 'answer' and 'score': a number in 0..1 or a range "
                                "[low, high] within 0..1")
            return None
        out.append(Example(answer, float(rng[0]), float(rng[1]), iline))
    return tuple(out)


# -- checks (quizkit bank validate) ---------------------------------------------------------------------
def check_rubrics(questions: list[Question]) -> list[Diagnostic]:
    """Warnings: phrasings that only echo the prompt, examples the rubric marks out of range, missing examples."""
    from quizkit.quiz.rubric import compile_point, rubric

    out = []
    for q in questions:
        if q.type != "short_answer":
            continue
        for kp in q.key_points:
            cp = compile_point(kp, q.prompt)
            if cp.groups and all(any(p in cp.echoes for p in g) for g in cp.groups):
                echoed = [p for g in cp.groups for p in g if p in cp.echoes]
                out.append(Diagnostic(q.bank, q.line, "warning",
                                      f"'{q.id}': key point '{kp.label}' can be hit by copying the prompt "
                                      f"({', '.join(echoed)}); such phrasings earn nothing, so state the claim"))
        good = sum(1 for e in q.examples if e.low >= GOOD)
        wrong = sum(1 for e in q.examples if e.high <= WRONG)
        if good < 1 or wrong < 2:
            out.append(Diagnostic(q.bank, q.line, "warning",
                                  f"'{q.id}' needs rubric examples: at least 1 good answer (score low >= {GOOD}) "
                                  f"and 2 wrong ones (score <= {WRONG}); it has {good} and {wrong}"))
        for ex in q.examples:
            got = rubric(q, ex.answer).score
            if not ex.low - TOLERANCE <= got <= ex.high + TOLERANCE:
                out.append(Diagnostic(q.bank, ex.line or q.line, "warning",
                                      f"'{q.id}': the rubric marks example {_short(ex.answer)} {got:.2f}, "
                                      f"outside its range [{ex.low:g}, {ex.high:g}]"))
    return out


def _short(text: str, n: int = 30) -> str:
    one = " ".join(text.split())
    return f"'{one[:n]}…'" if len(one) > n else f"'{one}'"
