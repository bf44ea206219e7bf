"""English plurals in the catalogue: `{n: question|questions}` prints "1 question" or "2 questions", and
`{total:g point|points}` formats the number with `g` first. The spec before the space formats the number; after
it come the singular and the plural. Chinese has no plural; its text just uses `{n}`. Each field still appears
once, so the zh and en texts keep the same fields."""

from __future__ import annotations

import string


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            number, _, words = format_spec.partition(" ")
            one, _, many = words.partition("|")
            return f"{format(value, number)} {one if value == 1 else many}"
        return super().format_field(value, format_spec)


FORMATTER = _Formatter()
