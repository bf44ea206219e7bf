"""Every test starts in English: a command run with --lang zh leaves the catalogue's language set, and the
library's messages (store errors, usage errors) follow it."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english_catalogue():
    from quizkit.render import i18n

    i18n.set_lang("en")
    yield
    i18n.set_lang("en")
