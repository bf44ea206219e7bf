"""The JSON Schema of a bank, for editors (yaml-language-server). `quizkit bank validate` is the authority:
it also checks what a schema cannot say, such as answer letters against the options and unique ids."""

from __future__ import annotations

import json
from typing import Any

from quizkit.bank.model import LETTERS, SCORING_SCHEMES, TYPES

SCHEMA_FILE = "quizkit-bank.schema.json"


def _letter() -> dict[str, Any]:
    return {"type": "string", "pattern": f"^[{LETTERS}{LETTERS.lower()}]$"}


def _params(number: dict[str, Any]) -> dict[str, Any]:
    """`params:` and `where:` (numeric, single, multiple, true_false)."""
    pair = {"type": "array", "items": number, "minItems": 2, "maxItems": 2}
    param = {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 2,
             "properties": {"int": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
                            "float": pair, "choice": {"type": "array", "items": number, "minItems": 1},
                            "round": {"type": "integer", "minimum": 0, "maximum": 12, "default": 4}},
             "oneOf": [{"required": ["int"]}, {"required": ["float"]}, {"required": ["choice"]}]}
    return {
        "params": {"type": "object", "minProperties": 1,
                   "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}, "additionalProperties": param,
                   "description": "Drawn afresh for every session; {{ expr }} in prompt, options and explanation "
                                  "shows a computed value."},
        "where": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                  "description": "Conditions over the params that every draw must meet."},
    }


def _rubric() -> tuple[dict[str, Any], dict[str, Any]]:
    """The schemas of one key point and one example (quizkit/bank/rubric.py reads them)."""
    text = {"type": "string", "minLength": 1}
    phrasings = {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}}
    key_point = {
        "type": "object", "additionalProperties": False, "anyOf": [{"required": ["any"]}, {"required": ["all"]}],
        "description": "A claim: one phrasing of `any` and one of each `all` group in the same clause, not negated, "
                       "not copied from the prompt, with no `unless` phrasing beside it.",
        "properties": {"points": {"type": "number", "exclusiveMinimum": 0, "default": 1},
                       "any": phrasings,
                       "all": {"type": "array", "minItems": 1, "items": phrasings,
                               "description": "Groups of phrasings that must all hold in the clause."},
                       "unless": {**phrasings, "description": "Phrasings that void the point (misconceptions)."},
                       "enumeration": {"type": "boolean", "default": False,
                                       "description": "Naming the items is the claim: a keyword list may hit."},
                       "label": {"type": "string"}},
    }
    score = {"type": "number", "minimum": 0, "maximum": 1}
    example = {
        "type": "object", "additionalProperties": False, "required": ["answer", "score"],
        "properties": {"answer": text, "note": {"type": "string"},
                       "score": {"oneOf": [score, {"type": "array", "minItems": 2, "maxItems": 2, "items": score}],
                                 "description": "[low, high], or a number (<= 0.3: at most; else exactly)."}},
    }
    return key_point, example


def schema() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    tags = {"type": "array", "items": {"type": "string", "minLength": 1}}
    number = {"type": "number"}
    common = {
        "id": {"type": "string", "pattern": "^[a-z0-9._-]+$", "description": "Unique across all loaded banks."},
        "type": {"enum": list(TYPES)},
        "prompt": {**text, "description": "Markdown with $LaTeX$."},
        "explanation": {"type": "string", "description": "Why the answer is right and the tempting one wrong."},
        "tags": tags,
        "difficulty": {"type": "integer", "minimum": 1, "maximum": 3, "default": 2},
        "source": {"type": "string", "description": "The notes file the material comes from."},
        "group": {"type": "string", "pattern": "^[a-z0-9-]+$",
                  "description": "Questions testing one fact share a group; a session asks at most one of them."},
    }
    params = _params(number)
    options = {"type": "array", "minItems": 2, "maxItems": len(LETTERS),
               "items": {"type": ["string", "number"]}}
    key_point, example = _rubric()
    by_type: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "single": ({"options": options, **params}, {"answer": _letter()}),
        "multiple": ({"options": options, "scoring": {"enum": list(SCORING_SCHEMES), "default": "net_correct"},
                      **params},
                     {"answer": {"oneOf": [{"type": "array", "minItems": 1, "uniqueItems": True,
                                            "items": _letter()},
                                           {"type": "string", "pattern": f"^[{LETTERS}{LETTERS.lower()}, ]+$"}]}}),
        "true_false": (params, {"answer": {"anyOf": [{"type": "boolean"},
                                                     {"enum": ["对", "错", "正确", "错误", "T", "F", "t", "f"]},
                                                     {"type": "string", "description": "with params: a condition"}]}}),
        "numeric": ({"tolerance": {**number, "minimum": 0}, "rel_tolerance": {**number, "minimum": 0},
                     "unit": {"type": "string"}, **params},
                    {"answer": {"oneOf": [number, {"type": "string", "description": "with params: an expression"}]}}),
        "symbolic": ({"variables": {"type": "array", "items": {"type": "string",
                                                               "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}}},
                     {"answer": {"type": ["string", "number"]}}),
        "short_answer": ({"key_points": {"type": "array", "minItems": 1, "items": key_point},
                          "examples": {"type": "array", "items": example,
                                       "description": "Answers the rubric must mark within their score."}},
                         {"answer": text}),
    }
    variants = []
    for qtype, (fields, answer) in by_type.items():
        required = ["id", "type", "prompt", "answer", *(["options"] if "options" in fields else []),
                    *(["variables"] if qtype == "symbolic" else []),
                    *(["key_points"] if qtype == "short_answer" else [])]
        variants.append({
            "if": {"properties": {"type": {"const": qtype}}, "required": ["type"]},
            "then": {"properties": {**common, **fields, **answer}, "required": required,
                     "additionalProperties": False},
        })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://quizkit.invalid/" + SCHEMA_FILE,
        "title": "quizkit question bank",
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "questions"],
        "properties": {
            "title": text,
            "description": {"type": "string"},
            "tags": {**tags, "description": "Added to every question; the first is the topic."},
            "questions": {"type": "array", "items": {"type": "object", "required": ["id", "type", "prompt",
                                                                                    "answer"],
                                                     "properties": {"type": {"enum": list(TYPES)}},
                                                     "allOf": variants}},
        },
    }


def schema_json() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
