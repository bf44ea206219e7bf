"""English plurals in the catalogue: `{n:question|questions}` prints the first word when n is 1, else the
second, so a catalogue text never says "1 questions". Chinese has no plural; its text just uses `{n}`."""

from __future__ import annotations

import string


class _Formatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, many = format_spec.partition("|")
            return one if value == 1 else many
        return super().format_field(value, format_spec)


FORMATTER = _Formatter()
