"""`quizkit bank export` / `quizkit bank import` as an instructor runs them: real files, CliRunner, the shipped
banks round-tripped through Moodle XML and GIFT, an Anki package opened with sqlite3, hostile XML refused."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quizkit.bank.load import load_checked, load_paths
from quizkit.bank.model import Question
from quizkit.cli import cli

DATA = Path(__file__).parent / "data" / "interop"
# Moodle's question_bank::fraction_options_full(), in percent: the only weights Moodle imports.
MOODLE_WEIGHTS = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571,
                  12.5, 11.11111, 10, 5, 0}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def carried(q: Question, fmt: str) -> dict[str, Any]:
    """What a format carries of a question (see the README): no difficulty or source anywhere; tolerance as
    one absolute number; multiple choice scored by weights (net_correct); GIFT also has no units."""
    out: dict[str, Any] = {
        "id": q.id, "type": q.type, "prompt": q.prompt, "options": q.options, "answer": q.answer,
        "explanation": q.explanation, "tags": q.tags, "topic": q.topic, "variables": q.variables,
        "key_points": q.key_points,
    }
    if q.type == "multiple":
        out["scoring"] = "net_correct"
    if q.type == "numeric":
        tol = q.tolerance or 0.0
        if q.rel_tolerance is not None:
            tol = max(tol, q.rel_tolerance * abs(float(q.answer)))  # type: ignore[arg-type]
        out["tolerance"] = pytest.approx(tol, rel=1e-12, abs=0)
        out["unit"] = q.unit if fmt == "moodle-xml" else ""
    return out


def round_trip(tmp_path: Path, fmt: str, banks: list[str] | None = None, suffix: str = "") -> tuple[Any, Any]:
    suffix = suffix or (".xml" if fmt == "moodle-xml" else ".gift")
    exported = tmp_path / f"out{suffix}"
    result = run("bank", "export", *(banks or []), "--format", fmt, "--output", str(exported))
    assert result.exit_code == 0, result.output
    back = tmp_path / "back.yaml"
    result = run("bank", "import", str(exported), "--output", str(back))
    assert result.exit_code == 0, result.output
    return result, load_paths([back])


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_every_shipped_question_round_trips_on_what_the_format_carries(tmp_path, fmt):
    shipped = [q for q in load_checked(None).questions if not q.params]  # those are skipped (see below)
    result, back = round_trip(tmp_path, fmt)
    assert back.diagnostics == [], back.diagnostics[:3]  # valid, and not one warning either
    assert "validate: 0 error(s)" in result.stdout
    got = {q.id: q for q in back.questions}
    assert sorted(got) == sorted(q.id for q in shipped)
    differ = [q.id for q in shipped if carried(q, fmt) != carried(got[q.id], fmt)]
    assert differ == []
    assert {q.difficulty for q in back.questions} == {2}  # difficulty is not carried: the default comes back


def write_bank(tmp_path: Path, body: str, tags: str = "[edge]") -> Path:
    path = tmp_path / "edge.yaml"
    path.write_text(f"title: 边界\ntags: {tags}\nquestions:\n{body}", encoding="utf-8")
    return path


EDGE = r"""
  - id: edge-escapes
    type: single
    prompt: |-
      GIFT 的保留字符 ~ = # { } : 和反斜杠 \ 都要转义；HTML 的 <b> & 也是。
      第二行有 $\{0, 1\}$ 和 $$\sum_{i} x_i$$。
    options: ['a = b', '{x}', '#1: c ~ d', '%50% 像权重']
    answer: D
    explanation: 'C# 与 \frac{1}{2}：都原样保留。'
    tags: [escape]
  - id: edge-coverage
    type: multiple
    prompt: 选出所有正确项。
    options: [甲, 乙, 丙, 丁]
    answer: [A, C, D]
    scoring: coverage
    explanation: 甲、丙、丁。
  - id: edge-rel
    type: numeric
    prompt: 1/3 是多少？
    answer: 0.3333333333333333
    rel_tolerance: 0.01
    unit: 个
    explanation: 约 0.333。
"""


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_escapes_math_and_markup_survive_and_losses_are_named(tmp_path, fmt):
    bank = write_bank(tmp_path, EDGE)
    out = tmp_path / ("e.xml" if fmt == "moodle-xml" else "e.gift")
    result = run("bank", "export", str(bank), "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert re.search(r"edge\.yaml:\d+: warning: 'edge-coverage': scoring 'coverage' cannot be expressed", result.stderr)
    assert "'edge-rel': relative tolerance 0.01 exported as the absolute tolerance 0.00333333" in result.stderr
    assert ("'edge-rel': the unit '个' is dropped" in result.stderr) == (fmt == "gift")
    text = out.read_text(encoding="utf-8")
    assert "\\(" in text and "\\[" in text and "$$" not in text  # math as \( \) and \[ \]
    back = tmp_path / "back.yaml"
    assert run("bank", "import", str(out), "--output", str(back)).exit_code == 0
    original = {q.id: q for q in load_checked([bank]).questions}
    for q in load_checked([back]).questions:
        assert carried(q, fmt) == carried(original[q.id], fmt), q.id


def test_gift_weights_come_from_moodles_list_and_net_correct_is_plus_minus_100_over_c(tmp_path):
    out = tmp_path / "all.gift"
    assert run("bank", "export", "--format", "gift", "--output", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    weights = [float(w) for w in re.findall(r"^\t~%(-?[0-9.]+)%", text, re.M)]
    assert weights and all(abs(w) in MOODLE_WEIGHTS for w in weights)
    shipped = {q.id: q for q in load_checked(None).questions}
    block = re.search(r"::act-properties-multi::.*?\n}", text, re.S)[0]  # type: ignore[index]
    q = shipped["act-properties-multi"]
    share = round(100 / len(q.answer), 5)
    expected = [share if q.letter_of(i) in q.answer else -share for i in range(len(q.options))]
    assert [float(w) for w in re.findall(r"~%(-?[0-9.]+)%", block)] == pytest.approx(expected, abs=1e-5)


def test_moodle_xml_has_a_category_per_topic_and_the_fields_in_their_places(tmp_path):
    out = tmp_path / "all.xml"
    assert run("bank", "export", "--format", "moodle-xml", "--output", str(out)).exit_code == 0
    root = ET.parse(out).getroot()
    shipped = [q for q in load_checked(None).questions if not q.params]  # parametrized ones need --variants
    cats = [q.findtext("category/text") for q in root.iter("question") if q.get("type") == "category"]
    assert sorted(cats) == sorted({f"$course$/top/quizkit/{q.topic}" for q in shipped})
    by_id = {q.findtext("idnumber"): q for q in root.iter("question") if q.get("type") != "category"}
    kinds = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse",
             "numeric": "numerical", "short_answer": "essay", "symbolic": "essay"}
    for q in shipped:
        el = by_id[q.id]
        assert el.get("type") == kinds[q.type] and el.findtext("name/text") == q.id
        assert [t.text for t in el.findall("tags/tag/text")] == list(q.tags)
        if q.is_choice:
            assert el.findtext("single") == ("true" if q.type == "single" else "false")
            fractions = [float(a.get("fraction", "")) for a in el.findall("answer")]
            assert all(abs(f) in MOODLE_WEIGHTS for f in fractions)
            assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=1e-3)
        if q.type == "numeric":
            assert float(el.findtext("answer/text") or "nan") == q.answer
        if q.type == "short_answer":
            assert "quizkit-rubric" in (el.findtext("graderinfo/text") or "")
            info = el.findtext("graderinfo/text") or ""
            assert all(html.escape(kp.label, quote=False) in info for kp in q.key_points if "$" not in kp.label)


# -- import of files written elsewhere -----------------------------------------------------------------------
def test_gift_written_by_hand_imports_with_a_note_per_loss_and_file_line(tmp_path):
    out = tmp_path / "bank.yaml"
    result = run("bank", "import", str(DATA / "foreign.gift"), "--output", str(out))
    assert result.exit_code == 0, result.output
    qs = {q.id: q for q in load_checked([out]).questions}
    assert qs["sgd-momentum"].type == "single" and qs["sgd-momentum"].answer == "A"
    assert qs["sgd-momentum"].tags == ("optimizers", "sgd", "momentum")  # $CATEGORY is the topic
    assert "A: right: the velocity" in qs["sgd-momentum"].explanation
    assert qs["adam-bias-correction"].answer is True and qs["adam-bias-correction"].prompt == (
        "Adam divides $m_t$ by $1-\\beta_1^t$.")
    assert qs["lr-range"].prompt == "The learning rate {in this course} was 0.1 : give it."
    assert (qs["lr-range"].answer, qs["lr-range"].tolerance) == (0.1, 0.01)
    assert qs["two-of-three"].answer == ("A", "B") and qs["two-of-three"].scoring == "net_correct"
    assert qs["capital"].key_points[0].any == ("graphics processing unit",)
    assert qs["gap"].prompt == "The _____ activation is zero for negative inputs."
    assert qs["html"].prompt == "Is **x < y** true for x=1, y=2?"
    name = str(DATA / "foreign.gift")
    for line, qid, what in [(16, "two-of-three", "A 50%, B 50%, C -100%"), (30, "match", "skipped: a matching"),
                            (32, "q32", "skipped: a description"), (34, "essay", "skipped: an essay without"),
                            (36, "broken", "'{' is never closed"), (11, "adam-bias-correction", "not a bank id")]:
        assert re.search(rf"^{re.escape(name)}:{line}: warning: '{qid}': .*{re.escape(what)}", result.stderr, re.M), qid


def test_moodle_xml_from_moodle_imports_with_notes(tmp_path):
    out = tmp_path / "bank.yaml"
    result = run("bank", "import", str(DATA / "foreign.xml"), "--output", str(out))
    assert result.exit_code == 0, result.output
    bank = load_checked([out]).banks[0]
    assert bank.title == "Convolution basics" and bank.tags == ("Convolution",)
    qs = {q.id: q for q in bank.questions}
    assert sorted(qs) == ["conv-01", "conv-params", "padding-name", "pooling-kinds", "stride-shrinks"]
    assert qs["conv-01"].prompt == "A 32×32 input, kernel 5, stride 1, no padding: the output is"
    assert qs["conv-01"].explanation.startswith("$ (32-5)/1+1 = 28 $")
    assert (qs["conv-params"].answer, qs["conv-params"].unit) == (4608, "weights")
    assert qs["pooling-kinds"].answer == ("A", "B") and qs["stride-shrinks"].answer is True
    name = re.escape(str(DATA / "foreign.xml"))
    assert re.search(rf"^{name}:14: warning: 'conv-01': not kept: .*embedded files .*HTML <img>", result.stderr, re.M)
    assert re.search(rf"^{name}:91: warning: 'match-layers': skipped: Moodle type 'match'", result.stderr, re.M)
    assert re.search(rf"^{name}:86: warning: 'why-conv': skipped: an essay without a quizkit rubric", result.stderr,
                     re.M)


BOMB = (DATA / "bomb.xml").read_text(encoding="utf-8")
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><name><text>&secret;</text></name></question></quiz>
"""


@pytest.mark.parametrize("text", [BOMB, EXTERNAL], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_gets_one_line_and_no_expansion(tmp_path, text):
    src = tmp_path / "hostile.xml"
    src.write_text(text, encoding="utf-8")
    result = run("bank", "import", str(src), "--output", str(tmp_path / "b.yaml"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {src}:2: error: DTDs and entity declarations are refused (a Moodle export has none)"]
    assert not (tmp_path / "b.yaml").exists()


def test_positive_control_the_stdlib_parser_does_expand_the_bomb():
    root = ET.fromstring(BOMB)  # the refusal is what stops it: plain ElementTree expands the entities
    assert len(root.findtext("question/name/text") or "") == 100_000


@pytest.mark.parametrize("content, line, message", [
    (b"<quiz><question type='truefalse'>\n<name></quiz>", 2, "not well-formed XML (mismatched tag)"),
    (b"<?xml version='1.0'?>\n<questions/>", 1, "the root element is <questions>, not <quiz>: not Moodle XML"),
])
def test_broken_xml_is_one_line_with_file_and_line(tmp_path, content, line, message):
    src = tmp_path / "bad.xml"
    src.write_bytes(content)
    result = run("bank", "import", str(src), "--output", str(tmp_path / "b.yaml"))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {src}:{line}: error: {message}"


def test_gift_that_is_not_utf8_names_the_line(tmp_path):
    src = tmp_path / "bad.gift"
    src.write_bytes(b"::a::ok{T}\n\n::b::caf" + b"\xe9{T}\n")
    result = run("bank", "import", str(src), "--output", str(tmp_path / "b.yaml"))
    assert result.exit_code == 1 and f"{src}:3: error: not UTF-8 (byte 0xe9)" in result.output


def test_import_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "b.yaml"
    out.write_text("keep me", encoding="utf-8")
    result = run("bank", "import", str(DATA / "foreign.gift"), "--output", str(out))
    assert result.exit_code == 2 and "already exists (use --force to overwrite)" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run("bank", "import", str(DATA / "foreign.gift"), "--output", str(out), "--force").exit_code == 0


def test_a_moodle_export_of_our_essay_keeps_the_rubric_but_a_broken_block_is_named(tmp_path):
    bank = write_bank(tmp_path, """
  - id: sa
    type: short_answer
    prompt: 简述。
    answer: 模型答案
    key_points:
      - {points: 2, any: [遗忘门, forget gate], label: 遗忘门（f）}
    explanation: 解析。
""")
    out = tmp_path / "sa.xml"
    assert run("bank", "export", str(bank), "--format", "moodle-xml", "--output", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    back = tmp_path / "back.yaml"
    assert run("bank", "import", str(out), "--output", str(back)).exit_code == 0
    kp = load_checked([back]).questions[0].key_points[0]
    assert (kp.points, kp.any, kp.label) == (2, ("遗忘门", "forget gate"), "遗忘门（f）")
    out.write_text(text.replace("&amp;quot;key_points&amp;quot;", "&amp;quot;nothing&amp;quot;"), encoding="utf-8")
    result = run("bank", "import", str(out), "--output", str(back), "--force")
    assert re.search(r"'sa': skipped: the quizkit rubric block has no key points", result.stderr)


# -- Anki ----------------------------------------------------------------------------------------------------
def read_apkg(path: Path, tmp_path: Path) -> tuple[list[tuple], dict, dict]:
    with zipfile.ZipFile(path) as z:
        z.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        notes = db.execute("SELECT guid, mid, tags, flds FROM notes").fetchall()
        models, decks = (json.loads(x) for x in db.execute("SELECT models, decks FROM col").fetchone())
    finally:
        db.close()
    (tmp_path / "collection.anki2").unlink()
    return notes, models, decks


def test_anki_one_note_per_question_with_stable_guid_model_and_decks(tmp_path):
    import genanki

    from quizkit.interop.anki import MODEL_ID

    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    for out in (first, second):
        result = run("bank", "export", "--format", "anki", "--output", str(out))
        assert result.exit_code == 0, result.output
    shipped = {q.id: q for q in load_checked(None).questions if not q.params}  # parametrized: --variants
    notes, models, decks = read_apkg(first, tmp_path)
    notes2, models2, decks2 = read_apkg(second, tmp_path)
    assert len(notes) == len(shipped)
    assert sorted(n[0] for n in notes) == sorted(genanki.guid_for("quizkit", qid) for qid in shipped)
    assert sorted(n[0] for n in notes) == sorted(n[0] for n in notes2)  # a re-export updates, never duplicates
    assert {n[1] for n in notes} == {MODEL_ID} and str(MODEL_ID) in models
    named = {d["name"]: int(i) for i, d in decks.items() if d["name"].startswith("quizkit::")}
    assert set(named) == {f"quizkit::{q.topic}" for q in shipped.values()}
    assert named == {d["name"]: int(i) for i, d in decks2.items() if d["name"].startswith("quizkit::")}
    for guid, _, tags, flds in notes:
        front, back_, qid = flds.split("\x1f")
        q = shipped[qid]
        assert q.topic in tags.split()
        assert genanki.guid_for("quizkit", qid) == guid
        assert "$" not in front or "\\$" in q.prompt
    sig = next(n for n in notes if n[3].endswith("\x1fact-sigmoid-range"))
    assert "\\(\\sigma(x)=\\frac{1}{1+e^{-x}}\\)" in sig[3].split("\x1f")[0]
    assert "所以 \\(\\sigma(x)\\in(0,1)\\)" in sig[3].split("\x1f")[1]  # the explanation is on the back


def test_the_quiz_path_never_imports_genanki():
    code = ("import sys, quizkit.cli.quiz, quizkit.cli.bank, quizkit.interop.convert, quizkit.interop.moodle, "
            "quizkit.interop.gift, quizkit.interop.anki; assert 'genanki' not in sys.modules, 'genanki imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- parametrized questions (PARAMS.md) ----------------------------------------------------------------------
PARAMETRIZED = """
  - id: conv-out-var
    type: numeric
    params:
      n: {int: [20, 64]}
      k: {choice: [3, 5, 7]}
      s: {choice: [1, 2]}
    prompt: 输入边长 {{n}}，卷积核 {{k}}，stride={{s}}，无 padding，输出边长是多少？
    answer: "floor((n - k) / s) + 1"
    tolerance: 0
    explanation: ⌊({{n}}−{{k}})/{{s}}⌋+1 = {{floor((n - k) / s) + 1}}。
  - id: fixed
    type: true_false
    prompt: 卷积核越大，输出越小（无 padding 时）。
    answer: true
    explanation: n−k+1。
"""


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_a_parametrized_question_is_listed_as_skipped_or_exported_as_fixed_variants(tmp_path, fmt):
    bank = write_bank(tmp_path, PARAMETRIZED)
    out = tmp_path / ("p.xml" if fmt == "moodle-xml" else "p.gift")
    result = run("bank", "export", str(bank), "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert re.search(r"edge\.yaml:\d+: warning: 'conv-out-var': skipped: a parametrized question", result.stderr)
    assert "1 question(s)" in result.stdout and "1 skipped" in result.stdout
    assert "conv-out-var" not in out.read_text(encoding="utf-8")

    result = run("bank", "export", str(bank), "--format", fmt, "--output", str(out), "--variants", "3", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "'conv-out-var': exported as 3 fixed variant(s): conv-out-var.v1, conv-out-var.v2, conv-out-var.v3" in (
        result.stderr)
    back = tmp_path / "back.yaml"
    assert run("bank", "import", str(out), "--output", str(back)).exit_code == 0
    variants = [q for q in load_checked([back]).questions if q.id.startswith("conv-out-var.")]
    assert len(variants) == 3 and len({q.prompt for q in variants}) == 3
    for q in variants:
        n, k, s = (int(x) for x in re.findall(r"\d+", q.prompt)[:3])
        assert q.answer == (n - k) // s + 1 and "{{" not in q.prompt + q.explanation


def test_a_rubric_block_keeps_the_key_point_fields_this_quizkit_knows_and_drops_the_rest():
    from quizkit.interop.common import read_rubric

    blob = json.dumps({"type": "short_answer", "answer": "模型答案", "key_points": [
        {"points": 2.0, "any": ["遗忘门", "forget gate"], "label": "遗忘门", "from_a_newer_quizkit": True},
        {"points": 1.5, "any": ["输入门"], "label": "写入"}]})
    assert read_rubric(blob)["key_points"] == [{"points": 2, "any": ["遗忘门", "forget gate"]},
                                               {"points": 1.5, "label": "写入", "any": ["输入门"]}]
    for bad, why in [("{", "not JSON"), ('{"type": "essay", "answer": "x"}', "lacks a type and an answer"),
                     ('{"type": "symbolic", "answer": "x"}', "lacks its variables")]:
        with pytest.raises(ValueError, match=why):
            read_rubric(bad)


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_every_shipped_parametrized_question_round_trips_as_its_fixed_variants(tmp_path, fmt):
    """The parametrized questions of the shipped banks, exported with --variants, come back equal to the same
    draws made here (ids <id>.vK), and nothing else is skipped."""
    from quizkit.interop.convert import drawer

    shipped = load_checked(None).questions
    parametrized = [q for q in shipped if q.params]
    assert len(parametrized) >= 50  # the shipped banks carry many; a loader that lost them must fail here
    out = tmp_path / ("all.xml" if fmt == "moodle-xml" else "all.gift")
    result = run("bank", "export", "--format", fmt, "--output", str(out), "--variants", "2", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.stderr.replace("0 skipped", "")
    back = tmp_path / "back.yaml"
    result = run("bank", "import", str(out), "--output", str(back))
    assert result.exit_code == 0, result.output
    loaded = load_paths([back])
    assert loaded.diagnostics == [], loaded.diagnostics[:3]
    got = {q.id: q for q in loaded.questions}
    draw = drawer(2, 3)
    want = [v for q in parametrized for v in draw(q)]
    assert len(want) >= len(parametrized) + 1  # most have at least two distinct draws
    assert [v.id for v in want if v.id not in got] == []
    differ = [v.id for v in want if carried(v, fmt) != carried(got[v.id], fmt)]
    assert differ == []
    assert all("{{" not in got[v.id].prompt + got[v.id].explanation for v in want)
