"""The sandboxed child words its own messages in the language of each grade, not the one its zygote forked in.

One warm Grader (torch, the zygote and the tests stay loaded) grades the same wrong submission in en, then zh,
then en again: whichever language the zygote started in, one of the three grades asks for the other one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizkit.grading.exercises import load_exercise
from quizkit.grading.runner import Grader
from quizkit.render import i18n

REDTEAM = Path(__file__).with_name("redteam")
GUARDED = "import torch\n\n\ndef sigmoid(x):\n    return torch.sigmoid(x)\n\n\ndef sigmoid_grad(x):\n    return x\n"
EMPTY = "import torch\n\nVALUE = 1\n"
UNSENDABLE = "def sigmoid(x):\n    return x.numpy()\n\n\ndef sigmoid_grad(x):\n    return x.numpy()\n"
EXITS = "import os\n\n\ndef sigmoid(x):\n    os._exit(3)\n\n\ndef sigmoid_grad(x):\n    os._exit(3)\n"
BOUND = "import torch\n\nsigmoid = torch.sigmoid\n\n\ndef sigmoid_grad(x):\n    return x\n"

# (what, layers turned off, submission, {lang: a phrase only that language's message has}): worded in the child
# (operator, guard, missing, unsendable) or by the supervisor from the child's exit (exit)
CASES = [
    ("operator", ("scan", "guard"), REDTEAM / "alias_glu.py",
     {"en": "runs the aten operator glu", "zh": "运行了 aten 算子 glu"}),
    ("guard", ("scan",), GUARDED, {"en": "uses torch.sigmoid, which this exercise forbids",
                                    "zh": "用到了 torch.sigmoid，本练习禁止使用它"}),
    ("guard_bound", ("scan",), BOUND, {"en": "`sigmoid` is torch.sigmoid, which this exercise forbids",
                                       "zh": "`sigmoid` 就是 torch.sigmoid，本练习禁止使用它"}),
    ("missing", ("scan",), EMPTY, {"en": "does not define `sigmoid`", "zh": "没有定义 `sigmoid`"}),
    ("unsendable", ("scan",), UNSENDABLE, {"en": "returned a value of type numpy.ndarray",
                                           "zh": "返回了类型为 numpy.ndarray 的值"}),
    ("exit", ("scan", "guard"), EXITS, {"en": "exited with code 3", "zh": "以退出码 3 退出"}),
]


@pytest.fixture(autouse=True)
def _restore_lang():
    previous = i18n.get_lang()
    yield
    i18n.set_lang(previous)


def _messages(report) -> str:
    return "\n".join(t.message for t in report.tests if t.status != "passed")


def _submission(tmp_path: Path, source: Path | str) -> Path:
    if isinstance(source, Path):
        return source
    path = tmp_path / "sigmoid.py"
    path.write_text(source, encoding="utf-8")
    return path


@pytest.mark.parametrize("what, disable, source, phrases", CASES, ids=[c[0] for c in CASES])
def test_one_warm_grader_words_the_childs_messages_in_each_grades_language(tmp_path, what, disable, source,
                                                                         phrases):
    grader = Grader(load_exercise("sigmoid"), disable=disable)
    path = _submission(tmp_path, source)
    for lang in ("en", "zh", "en", "zh"):
        grader.lang = lang
        text = _messages(grader.grade(path))
        other = "zh" if lang == "en" else "en"
        assert phrases[lang] in text, (lang, text)
        assert phrases[other] not in text, (lang, text)


def test_a_grader_without_its_own_language_follows_the_one_set_for_the_process(tmp_path):
    """Grader(lang=None), as `watch` and the tests use it: the language set before each grade is sent."""
    grader = Grader(load_exercise("sigmoid"), disable=("scan", "guard"))
    for lang in ("zh", "en", "zh"):
        i18n.set_lang(lang)
        text = _messages(grader.grade(REDTEAM / "alias_glu.py"))
        assert CASES[0][3][lang] in text, (lang, text)
