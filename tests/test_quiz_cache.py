"""The parsed-bank and rendered-math caches: fast when warm, never stale, never hiding a bank error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_quiz_support import BANK, BANK2, write_bank

from quizkit.bank import cache as banks
from quizkit.bank import load as lead_loader
from quizkit.bank.load import BankError
from quizkit.render import latex


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZKIT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_cached_questions_equal_the_loader_questions(tmp_path, home):
    folder = tmp_path / "banks"
    write_bank(folder, BANK, "a.yaml")
    write_bank(folder, BANK2, "b.yaml")
    expected = lead_loader.load_questions([str(folder)])
    cold = banks.load_questions([str(folder)])
    assert (home / "cache" / banks.CACHE_NAME).exists()
    warm = banks.load_questions([str(folder)])
    assert cold == expected and warm == expected
    assert isinstance(warm[1].answer, tuple) and isinstance(warm[2].answer, bool)
    assert warm[5].key_points == expected[5].key_points


def test_shipped_banks_roundtrip_through_the_cache():
    expected = lead_loader.load_questions(None)
    banks.load_questions(None)
    assert banks.load_questions(None) == expected


def test_an_edited_bank_is_read_again(tmp_path):
    folder = tmp_path / "banks"
    path = write_bank(folder, BANK)
    banks.load_questions([str(folder)])
    path.write_text(BANK.replace("哪些是优化器？", "下列哪些是优化器？"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    prompts = [q.prompt for q in banks.load_questions([str(folder)])]
    assert "下列哪些是优化器？" in prompts


def test_a_broken_bank_raises_the_loaders_error(tmp_path):
    folder = tmp_path / "banks"
    path = write_bank(folder, BANK)
    banks.load_questions([str(folder)])
    path.write_text(BANK.replace("answer: [A, B]", "answer: [A, Z]"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    with pytest.raises(BankError) as ours:
        banks.load_questions([str(folder)])
    with pytest.raises(BankError) as theirs:
        lead_loader.load_questions([str(folder)])
    assert str(ours.value) == str(theirs.value)


def test_duplicate_ids_across_banks_raise_the_loaders_error(tmp_path):
    folder = tmp_path / "banks"
    write_bank(folder, BANK, "a.yaml")
    write_bank(folder, BANK, "b.yaml")
    with pytest.raises(BankError, match="duplicate id 'd-single'"):
        banks.load_questions([str(folder)])


def test_a_corrupt_cache_is_ignored(tmp_path, home):
    folder = tmp_path / "banks"
    write_bank(folder, BANK)
    (home / "cache").mkdir(parents=True)
    (home / "cache" / banks.CACHE_NAME).write_text("{not json")
    assert len(banks.load_questions([str(folder)])) == 6


WARM = """
import sys
sys.argv = ["quizkit", *sys.argv[1:]]
from quizkit.cli import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write("LOADED=" + ",".join(m for m in ("yaml", "pylatexenc", "rich") if m in sys.modules) + "\\n")
"""


def test_a_warm_quiz_needs_no_yaml_pylatexenc_or_rich(tmp_path, home):
    bank = write_bank(tmp_path / "banks", BANK)
    env = {**os.environ, "QUIZKIT_HOME": str(home), "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)
    args = [sys.executable, "-c", WARM, "quiz", "--bank", str(bank), "--type", "single", "--lang", "en"]

    def loaded() -> list[str]:
        run = subprocess.run(args, input=b"a\n", capture_output=True, env=env, check=True)
        assert b"Summary  1 asked" in run.stdout
        line = next(ln for ln in run.stderr.decode().splitlines() if ln.startswith("LOADED="))
        return [m for m in line.removeprefix("LOADED=").split(",") if m]

    assert loaded() == ["yaml", "pylatexenc"]  # cold: the bank is parsed and its formula rendered
    assert loaded() == []


def test_math_cache_renders_new_formulas_and_reuses_old(monkeypatch, home):
    monkeypatch.setattr(latex, "_cache", None)
    monkeypatch.setattr(latex, "_cache_path", None)
    assert latex.to_unicode(r"$\frac{a}{b}$") == "a/b"
    latex._save_cache()
    monkeypatch.setattr(latex, "_cache", None)
    monkeypatch.setattr(latex, "_render", lambda src: pytest.fail(f"rendered {src} again"))
    assert latex.to_unicode(r"$\frac{a}{b}$") == "a/b"
    assert Path(home / "cache" / latex.CACHE_NAME).exists()
