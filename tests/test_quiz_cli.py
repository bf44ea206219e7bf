"""Every study command, and every question type, driven through scripted input as a user runs them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from test_quiz_support import BANK, BANK2, invoke, rows, write_bank

from quizkit.store.db import DB_NAME


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("QUIZKIT_HOME", str(h))
    monkeypatch.delenv("QUIZKIT_NOW", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    return h


@pytest.fixture
def bank(tmp_path):
    return str(write_bank(tmp_path / "banks"))


def quiz(bank, qtype, answers, *extra):
    return invoke(["quiz", "--bank", bank, "--type", qtype, "--no-shuffle", "--lang", "en", *extra], input=answers)


def attempts(home):
    return rows(home, "SELECT question_id, answer, score, rating FROM attempts ORDER BY id")


# -- quiz: every type --------------------------------------------------------------------------------------
def test_single_choice_right_with_explanation(home, bank):
    r = quiz(bank, "single", "a\n")
    assert r.exit_code == 0
    assert "Which activation is σ(x)=1/(1+e⁻ˣ)?" in r.output
    assert "  A. sigmoid\n  B. tanh\n  C. ReLU\n  D. 以上都不是\n" in r.output
    assert "✓ Right  Answer: A\nWhy: The logistic function.\n" in r.output
    assert "Summary  1 asked · 1 right · 0 partly · 0 wrong · 0 skipped" in r.output
    assert attempts(home) == [("d-single", "A", 1.0, 3)]


def test_multiple_choice_partial_credit_is_shown(home, bank):
    r = quiz(bank, "multiple", "a\n")
    assert "◐ Partly right  score 0.5  Your answer: A  Answer: AB" in r.output
    assert attempts(home) == [("d-multi", "A", 0.5, 2)]  # partial -> Hard


@pytest.mark.parametrize("typed", ["AB", "a,b", "A B", "b a", "ab"])
def test_multiple_choice_letters_in_any_layout(home, bank, typed):
    r = quiz(bank, "multiple", typed + "\n")
    assert "✓ Right  Answer: AB" in r.output
    assert attempts(home) == [("d-multi", "AB", 1.0, 3)]


@pytest.mark.parametrize("typed,stored,right", [("F", "F", True), ("错", "F", True), ("n", "F", True),
                                                 ("对", "T", False), ("y", "T", False)])
def test_true_false_inputs(home, bank, typed, stored, right):
    r = quiz(bank, "true_false", typed + "\n")
    assert ("✓ Right" in r.output) is right
    assert attempts(home) == [("d-tf", stored, 1.0 if right else 0.0, 3 if right else 1)]


def test_true_false_wrong_shows_both_answers(home, bank):
    r = quiz(bank, "true_false", "y\n")
    assert "✗ Wrong  Your answer: True (T)  Answer: False (F)\nWhy: 左右导数不同。" in r.output


@pytest.mark.parametrize("typed,right", [("73,856", True), ("73856", True), ("7.3856e4", True), ("73855", False)])
def test_numeric(home, bank, typed, right):
    r = quiz(bank, "numeric", typed + "\n")
    assert ("✓ Right  Answer: 73856" in r.output) is right
    assert attempts(home)[0][2] == (1.0 if right else 0.0)


def test_numeric_bad_input_is_asked_again(home, bank):
    r = quiz(bank, "numeric", "lots\n73856\n")
    assert "Not a number; try 0.25, 1/4, 1e-3 or 132,863,336." in r.output
    assert attempts(home) == [("d-num", "73856", 1.0, 3)]


@pytest.mark.parametrize("typed,right", [("s*(1-s)", True), ("s - s**2", True), ("s - s^2", True), ("s**2", False)])
def test_symbolic(home, bank, typed, right):
    r = quiz(bank, "symbolic", typed + "\n")
    assert ("✓ Right" in r.output) is right
    assert attempts(home)[0][1:3] == (typed, 1.0 if right else 0.0)


def test_symbolic_unsafe_input_is_refused_and_asked_again(home, bank):
    r = quiz(bank, "symbolic", "__import__('os').system('echo hi')\ns*(1-s)\n")
    assert "Cannot read that expression:" in r.output
    assert attempts(home) == [("d-sym", "s*(1-s)", 1.0, 3)]


def test_short_answer_rubric_then_enter_accepts_the_suggestion(home, bank):
    r = quiz(bank, "short_answer", "引入 非线性\n\n")
    out = r.output
    assert "Rubric: suggested 1/2 (50%)\n  ✓ 引入非线性  “引入 非线性”\n  ✗ 多层退化为线性\n" in out
    assert "Model answer: 没有非线性激活，多层网络等价于单层线性变换。" in out
    assert "rate [1 again 2 hard 3 good 4 easy, Enter=2 Hard]> " in out
    assert "Recorded as 2 Hard · score 0.5" in out
    assert attempts(home) == [("d-short", "引入 非线性", 0.5, 2)]


@pytest.mark.parametrize("rating,score", [("1", 0.0), ("3", 1.0), ("4", 1.0), ("2", 0.5)])
def test_short_answer_rating_overrides(home, bank, rating, score):
    quiz(bank, "short_answer", f"引入非线性\n{rating}\n")
    assert attempts(home) == [("d-short", "引入非线性", score, int(rating))]


def test_short_answer_bad_rating_is_asked_again(home, bank):
    r = quiz(bank, "short_answer", "非线性 线性变换\n9\n4\n")
    assert "Type 1-4, or press Enter to accept the suggestion." in r.output
    assert attempts(home) == [("d-short", "非线性 线性变换", 1.0, 4)]


def test_short_answer_end_of_input_after_answer_keeps_it_with_the_suggestion(home, bank):
    r = quiz(bank, "short_answer", "非线性\n")
    assert r.exit_code == 0
    assert attempts(home) == [("d-short", "非线性", 0.5, 2)]


# -- commands at any prompt ------------------------------------------------------------------------------
def test_help_skip_quit(home, bank):
    r = invoke(["quiz", "--bank", bank, "--seed", "7", "--count", "6", "--lang", "en"], input="?\ns\nq\n")
    assert r.exit_code == 0
    assert "Help\n" in r.output and "s  skip this question" in r.output
    assert "Skipped.  Answer:" in r.output
    assert "Session ended." in r.output
    assert "Summary  1 asked · 0 right · 0 partly · 0 wrong · 1 skipped" in r.output
    assert attempts(home) == []  # a skip is not an answer
    assert r.output.count("[1/6]") == 1 and "[2/6]" in r.output and "[3/6]" not in r.output


def test_end_of_input_shows_summary_and_exits_0(home, bank):
    r = invoke(["quiz", "--bank", bank, "--type", "true_false", "--type", "numeric", "--seed", "1", "--lang",
                "en"], input="")
    assert r.exit_code == 0
    assert "End of input." in r.output
    assert "No questions answered." in r.output


def test_no_colour_when_not_a_terminal(home, bank):
    r = quiz(bank, "single", "a\n")
    assert "\x1b[" not in r.output


def test_colour_through_rich_on_a_terminal_unless_no_color(home, bank):
    coloured = invoke(["quiz", "--bank", bank, "--type", "single", "--no-shuffle", "--lang", "en"], input="a\n",
                      env={"FORCE_COLOR": "1"}).output
    assert "\x1b[1;32m✓ Right\x1b[0m" in coloured
    plain = invoke(["quiz", "--bank", bank, "--type", "single", "--no-shuffle", "--lang", "en"], input="a\n",
                   env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).output
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", plain)  # bold may stay; no colour
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == re.sub(r"\x1b\[[0-9;]*m", "", plain)


def test_explanation_letters_follow_the_shuffle(home, tmp_path):
    b = write_bank(tmp_path / "l", "title: l\ntags: [l]\nquestions:\n  - id: l1\n    type: single\n"
                                   "    prompt: 哪个对？\n    options: [甲, 乙, 丙, 丁]\n    answer: A\n"
                                   "    explanation: A 对，B、C、D 都错。\n")
    for seed in range(30):
        r = invoke(["quiz", "--bank", str(b), "--seed", str(seed), "--lang", "zh"], input="")
        shown = dict(re.findall(r"  ([A-D])\. (\S)", r.output))
        if shown["A"] != "甲":
            break
    right = next(k for k, v in shown.items() if v == "甲")
    r = invoke(["quiz", "--bank", str(b), "--seed", str(seed), "--lang", "zh"], input=right + "\n")
    wrong = "、".join(sorted(k for k in "ABCD" if k != right))
    assert f"解析：{right} 对，{wrong} 都错。" in r.output


def test_seed_makes_selection_and_option_order_reproducible(home, bank):
    args = ["quiz", "--bank", bank, "--seed", "42", "--count", "6", "--lang", "en"]
    first = invoke(args, input="").output
    second = invoke(args, input="").output
    assert first == second
    other = invoke(["quiz", "--bank", bank, "--seed", "43", "--count", "6", "--lang", "en"], input="").output
    assert other != first


def test_shuffled_options_are_scored_by_content_and_stored_in_written_letters(home, bank):
    for seed in range(20):
        r = invoke(["quiz", "--bank", bank, "--type", "single", "--seed", str(seed), "--lang", "en"], input="")
        shown = re.findall(r"  ([A-D])\. (\S+)", r.output)
        if shown[0][1] != "sigmoid":
            break
    else:  # pragma: no cover
        pytest.fail("20 seeds never moved option A")
    letter = next(ch for ch, text in shown if text == "sigmoid")
    assert ("D", "以上都不是") in shown  # "none of the above" keeps its place
    r = invoke(["quiz", "--bank", bank, "--type", "single", "--seed", str(seed), "--lang", "en"], input=letter + "\n")
    assert f"✓ Right  Answer: {letter}" in r.output
    assert attempts(home)[-1][:3] == ("d-single", "A", 1.0)


def test_filters_tag_type_difficulty(home, bank, tmp_path):
    b2 = str(write_bank(tmp_path / "b2", BANK2, "second.yaml"))
    r = invoke(["quiz", "--bank", bank, "--bank", b2, "--tag", "second", "--type", "true_false", "--lang", "en"],
               input="t\n")
    assert "[1/1] true/false · second · s-one" in r.output
    r = invoke(["quiz", "--bank", bank, "--difficulty", "3", "--count", "10", "--lang", "en"], input="")
    assert "[1/2]" in r.output
    r = invoke(["quiz", "--bank", bank, "--tag", "nope", "--lang", "en"], input="")
    assert r.exit_code == 1
    assert "No questions match" in r.output


def test_bad_type_is_a_usage_error(home, bank):
    r = invoke(["quiz", "--bank", bank, "--type", "essay"], input="")
    assert r.exit_code == 2
    assert "--type 'essay': choose from single, multiple" in r.output


def test_latex_rendered_or_raw(home, bank):
    r = quiz(bank, "single", "", "--raw-math")
    assert r"Which activation is $\sigma(x)=\frac{1}{1+e^{-x}}$?" in r.output


def test_chinese_interface_from_flag_and_locale(home, bank, monkeypatch):
    r = invoke(["quiz", "--bank", bank, "--type", "true_false", "--lang", "zh"], input="错\n")
    assert "[1/1] 判断 · demo · d-tf" in r.output
    assert "✓ 正确  正确答案：错 (F)\n解析：左右导数不同。" in r.output
    assert "小结  共 1 题 · 答对 1" in r.output
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    r = invoke(["quiz", "--bank", bank, "--type", "true_false"], input="")
    assert "[1/1] 判断" in r.output
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    r = invoke(["quiz", "--bank", bank, "--type", "true_false"], input="")
    assert "[1/1] true/false" in r.output


def test_chinese_text_wraps_between_characters(home, tmp_path):
    long = "卷积神经网络通过局部连接和参数共享大大减少了参数数量" * 4
    b = write_bank(tmp_path / "w", f"title: w\ntags: [w]\nquestions:\n  - id: w1\n    type: true_false\n"
                                   f"    prompt: {long}\n    answer: true\n")
    r = invoke(["quiz", "--bank", str(b), "--lang", "zh"], input="", env={"COLUMNS": "40"})
    out = r.output.splitlines()
    start = next(i for i, ln in enumerate(out) if ln.startswith("[1/1]")) + 1
    lines = out[start:next(i for i, ln in enumerate(out) if ln.startswith("输入"))]
    assert "".join(lines) == long
    assert all(len(ln) == 20 for ln in lines[:-1])  # 20 wide characters fill 40 columns exactly


def test_broken_bank_gives_path_line_message(home, tmp_path):
    b = write_bank(tmp_path / "bad", "title: x\ntags: [x]\nquestions:\n  - id: b1\n    type: single\n"
                                     "    prompt: p\n    options: [a, b]\n    answer: Z\n")
    r = invoke(["quiz", "--bank", str(b)], input="")
    assert r.exit_code == 1
    assert f"{b}:" in r.output and "error" in r.output
    assert "Traceback" not in r.output


def test_corrupt_database_is_reported_and_kept(home, bank):
    home.mkdir(parents=True)
    db = home / DB_NAME
    db.write_bytes(b"garbage" * 200)
    r = invoke(["quiz", "--bank", bank], input="a\n")
    assert r.exit_code == 1
    assert f"Error: {db}: the progress database is unreadable" in r.output
    assert db.read_bytes() == b"garbage" * 200


def test_history_follows_the_question_id_when_wording_changes(home, tmp_path):
    folder = tmp_path / "edit"
    b = str(write_bank(folder))
    quiz(b, "true_false", "y\n")  # wrong
    write_bank(folder, BANK.replace("ReLU 在 0 处可导。", "ReLU 函数在 x=0 处可导吗？"))
    r = invoke(["mistakes", "--bank", b, "--lang", "en"])
    assert "d-tf" in r.output and "ReLU 函数在 x=0 处可导吗？" in r.output
    stats = json.loads(invoke(["stats", "--bank", b, "--format", "json"]).output)
    assert stats["seen"] == 1 and stats["attempts"] == 1


# -- exam ---------------------------------------------------------------------------------------------------
EXAM_LAYOUT = "short_answer=1,true_false=1,multiple=1,single=1,numeric=1"


def test_exam_sections_in_real_order_no_feedback_then_report(home, bank):
    # Answers in paper order: single (right), multiple (partial), true/false (wrong), short answer (1 of 2 points),
    # numeric (right).
    r = invoke(["exam", "--bank", bank, "--layout", EXAM_LAYOUT, "--no-shuffle", "--lang", "en", "--seed", "1"],
               input="a\na\ny\n非线性\n73856\n")
    out = r.output
    assert r.exit_code == 0
    parts = [out.index(f"Part {i}: {name}") for i, name in
             enumerate(["single choice", "multiple choice", "true/false", "short answer", "numeric"], 1)]
    assert parts == sorted(parts)
    before_report = out[: out.index("Report")]
    assert "✓" not in before_report and "✗" not in before_report and "Why:" not in before_report
    assert "5 questions, 14 points, pass mark 60%." in out
    # single 2 + multiple 3*0.5 + tf 0 + short 5*0.5 + numeric 3 = 9 of 14
    assert "Total 9/14 (64.3%) · pass mark 60%  PASSED ✓" in out
    report = out[out.index("Report"):]
    assert "By section" in report and "By topic" in report and "demo" in report
    assert "Wrong answers, with explanations" in report
    assert "✗ Wrong  Your answer: True (T)  Answer: False (F)" in report
    assert "Why: 左右导数不同。" in report
    assert "d-single" not in report.split("Wrong answers")[1]
    assert attempts(home) == [("d-single", "A", 1.0, 3), ("d-multi", "A", 0.5, 2), ("d-tf", "T", 0.0, 1),
                              ("d-short", "非线性", 0.5, 2), ("d-num", "73856", 1.0, 3)]
    summary = json.loads(rows(home, "SELECT summary FROM sessions WHERE kind = 'exam'")[0][0])
    assert summary["exam"]["score"] == 9.0 and summary["exam"]["passed"] is True


def test_exam_pass_mark_and_unanswered_score_zero(home, bank):
    r = invoke(["exam", "--bank", bank, "--layout", "single=1,true_false=1", "--pass", "80", "--lang", "en",
                "--no-shuffle"], input="a\n")
    assert "… Unanswered" in r.output
    assert "Total 2/3 (66.7%) · pass mark 80%  NOT PASSED ✗" in r.output


def test_exam_report_calls_skipped_and_unreached_questions_unanswered(home, bank):
    layout = "single=1,true_false=1,numeric=1"
    r = invoke(["exam", "--bank", bank, "--layout", layout, "--lang", "zh", "--no-shuffle"], input="a\ns\n")
    report = r.output[r.output.index("成绩单"):]
    assert "共 3 题 · 答对 1 · 部分 0 · 答错 0 · 未作答 2" in report
    assert report.count("… 未作答") == 2 and "跳过" not in report
    r = invoke(["exam", "--bank", bank, "--layout", layout, "--lang", "en", "--no-shuffle"], input="s\n")
    assert "3 questions · 0 right · 0 partly · 0 wrong · 3 unanswered" in r.output and "Skipped" not in r.output


def test_exam_default_layout_is_clipped_to_the_bank(home, bank):
    r = invoke(["exam", "--bank", bank, "--lang", "en"], input="")
    assert "The banks have only 1 single choice question(s) (20 asked for)." in r.output
    assert "4 questions, 11 points" in r.output  # single 2 + multiple 3 + tf 1 + short 5


def test_exam_time_limit_ends_the_exam(home, bank, monkeypatch):
    ticks = iter(range(0, 100000, 20))  # every look at the clock is 20 s later
    monkeypatch.setattr("quizkit.quiz.session.time.monotonic", lambda: next(ticks))
    r = invoke(["exam", "--bank", bank, "--layout", "single=1,multiple=1,true_false=1", "--minutes", "2",
                "--lang", "en", "--no-shuffle"], input="a\nab\nf\n")
    out = r.output
    assert "Time limit 2 min." in out
    assert re.search(r"\[1/3\] single choice · demo · d-single · [0-9:]+ left", out)
    assert "Time is up: the exam is over; unanswered questions score 0." in out
    assert attempts(home) == [("d-single", "A", 1.0, 3)]
    assert "Total 2/6 (33.3%)" in out


def test_exam_bad_layout(home, bank):
    r = invoke(["exam", "--bank", bank, "--layout", "essay=3"])
    assert r.exit_code == 2
    assert "--layout 'essay=3': write TYPE=COUNT[:POINTS] pairs" in r.output


# -- review, FSRS --------------------------------------------------------------------------------------------
def _later(days: float) -> str:
    return (datetime.now() + timedelta(days=days)).isoformat(timespec="seconds")


def test_fsrs_state_survives_across_runs_and_review_reschedules(home, bank, monkeypatch):
    quiz(bank, "single", "a\n")
    quiz(bank, "true_false", "t\n")  # wrong: Again
    cards = {r[0]: r[1:] for r in rows(home, "SELECT question_id, state, due, card_json FROM cards")}
    assert set(cards) == {"d-single", "d-tf"}
    r = invoke(["review", "--bank", bank, "--lang", "en"])
    assert "Nothing is due for review now. The next one falls due" in r.output
    monkeypatch.setenv("QUIZKIT_NOW", _later(1))
    r = invoke(["review", "--bank", bank, "--lang", "en", "--no-shuffle"], input="f\na\n")
    assert "2 question(s) due (FSRS)." in r.output
    assert "Summary  2 asked · 2 right" in r.output
    after = {r[0]: r[1:] for r in rows(home, "SELECT question_id, state, due, card_json FROM cards")}
    assert all(after[q][1] > cards[q][1] for q in cards)  # both pushed later
    assert rows(home, "SELECT COUNT(*) FROM review_logs") == [(4,)]
    r = invoke(["review", "--bank", bank, "--lang", "en"])
    assert "Nothing is due for review now." in r.output


def test_review_order_is_most_overdue_first(home, bank, monkeypatch):
    monkeypatch.setenv("QUIZKIT_NOW", _later(-3))
    quiz(bank, "true_false", "t\n")
    monkeypatch.setenv("QUIZKIT_NOW", _later(-2))
    quiz(bank, "numeric", "1\n")
    monkeypatch.setenv("QUIZKIT_NOW", _later(0))
    r = invoke(["review", "--bank", bank, "--lang", "en"], input="")
    assert "[1/2] true/false" in r.output


def test_review_says_when_each_card_comes_back_and_how_many_are_due(home, bank, monkeypatch):
    monkeypatch.setenv("QUIZKIT_NOW", _later(-3))
    for qtype, answer in (("single", "a\n"), ("true_false", "t\n"), ("numeric", "1\n")):
        quiz(bank, qtype, answer)
    monkeypatch.setenv("QUIZKIT_NOW", _later(0))
    r = invoke(["review", "--bank", bank, "--lang", "en", "--count", "1", "--no-shuffle"], input="73856\n")
    assert "3 question(s) due in all (FSRS); reviewing 1 now." in r.output
    (qid, due, reviewed), = rows(home, "SELECT question_id, due, last_review FROM cards ORDER BY last_review DESC "
                                       "LIMIT 1")
    when = datetime.fromtimestamp(due).strftime("%Y-%m-%d %H:%M")
    line = next(ln for ln in r.output.splitlines() if ln.startswith("Comes back"))
    days = round((due - reviewed) / 86400)
    assert line == f"Comes back {when} (in {days} day(s))" or re.fullmatch(
        rf"Comes back {when} \(in \d+ (min|h)\)", line), line
    r = invoke(["review", "--bank", bank, "--lang", "zh", "--no-shuffle"], input="")
    assert "2 道题到期（FSRS）。" in r.output  # no --count: no "in all"
    r = invoke(["review", "--bank", bank, "--lang", "zh", "--no-shuffle", "--count", "1"], input="a\nf\n")
    assert "共 2 道题到期（FSRS），本次复习 1 道。" in r.output
    assert re.search(r"^下次复习：\d{4}-\d\d-\d\d \d\d:\d\d（\d+ (分钟|小时|天)后）$", r.output, re.MULTILINE)
    plain = quiz(bank, "single", "a\n")
    assert "Comes back" not in plain.output  # a practice session does not announce the schedule


def test_cram_leaves_the_schedule_untouched(home, bank):
    quiz(bank, "single", "a\n")
    before = rows(home, "SELECT * FROM cards")
    r = invoke(["review", "--cram", "--bank", bank, "--type", "single", "--lang", "en", "--no-shuffle"],
               input="b\n")
    assert "Cram mode: the review schedule is left untouched." in r.output
    assert "✗ Wrong" in r.output
    assert rows(home, "SELECT * FROM cards") == before
    assert rows(home, "SELECT COUNT(*) FROM review_logs") == [(1,)]
    assert attempts(home)[-1] == ("d-single", "B", 0.0, None)


# -- mistakes ------------------------------------------------------------------------------------------------
def test_mistakes_list_order_and_redo_until_cleared(home, bank, monkeypatch):
    monkeypatch.setenv("QUIZKIT_NOW", _later(-2))
    quiz(bank, "numeric", "1\n")
    quiz(bank, "numeric", "2\n")
    monkeypatch.setenv("QUIZKIT_NOW", _later(-1))
    quiz(bank, "true_false", "t\n")
    quiz(bank, "single", "b\n")
    quiz(bank, "single", "c\n")
    monkeypatch.delenv("QUIZKIT_NOW")
    r = invoke(["mistakes", "--bank", bank, "--lang", "en"])
    order = re.findall(r"^\s*\d+\s+(d-\w+)", r.output, re.MULTILINE)
    # Yesterday's first (most recent), most often first within a day: single (2) before tf (1); then numeric.
    assert order == ["d-single", "d-tf", "d-num"]
    assert "Redo them: quizkit mistakes --redo" in r.output

    r = invoke(["mistakes", "--redo", "--bank", bank, "--lang", "en", "--no-shuffle"], input="a\nf\n73856\n")
    assert r.output.count("1 more right answer(s) in a row to clear it.") == 3
    r = invoke(["mistakes", "--redo", "--bank", bank, "--lang", "en", "--no-shuffle", "--count", "1"],
               input="b\n")
    assert "✗ Wrong" in r.output
    # d-single was just answered wrongly, so it comes first now: skip it.
    r = invoke(["mistakes", "--redo", "--bank", bank, "--lang", "en"], input="s\nf\n73856\n")
    assert r.output.count("Right twice in a row: removed from the mistakes list.") == 2
    r = invoke(["mistakes", "--bank", bank, "--lang", "en"])
    assert re.findall(r"^\s*\d+\s+(d-\w+)", r.output, re.MULTILINE) == ["d-single"]


def _cells(line: str) -> int:
    from quizkit.render.wrap import cell_width

    return sum(cell_width(c) for c in line)


@pytest.mark.parametrize("columns", ["60", "100"])
def test_mistakes_show_each_prompt_shortened_to_the_terminal(home, bank, columns):
    quiz(bank, "single", "b\n")
    quiz(bank, "numeric", "1\n")
    r = invoke(["mistakes", "--bank", bank, "--lang", "zh"], env={"COLUMNS": columns})
    lines = r.output.splitlines()
    assert all(_cells(ln) <= int(columns) for ln in lines), r.output
    num = lines.index(next(ln for ln in lines if re.match(r"^\s*1\s+d-num", ln)))
    assert lines[num + 1].strip().startswith("一个 3×3 卷积核")
    single = lines.index(next(ln for ln in lines if re.match(r"^\s*2\s+d-single", ln)))
    assert lines[single + 1].strip() == "Which activation is σ(x)=1/(1+e⁻ˣ)?"
    if columns == "60":
        assert lines[num + 1].endswith("…")


def test_mistakes_empty(home, bank):
    r = invoke(["mistakes", "--bank", bank, "--lang", "en"])
    assert r.exit_code == 0 and "The mistakes list is empty." in r.output
    r = invoke(["mistakes", "--redo", "--bank", bank, "--lang", "en"])
    assert r.exit_code == 1


# -- stats ---------------------------------------------------------------------------------------------------
def test_stats_json_and_text(home, bank, tmp_path):
    b2 = str(write_bank(tmp_path / "b2", BANK2, "second.yaml"))
    quiz(bank, "single", "a\n")
    quiz(bank, "multiple", "a\n")
    invoke(["quiz", "--bank", b2, "--type", "true_false", "--lang", "en"], input="f\n")
    data = json.loads(invoke(["stats", "--bank", bank, "--bank", b2, "--format", "json"]).output)
    topics = {t["topic"]: t for t in data["topics"]}
    assert topics["demo"]["attempts"] == 2 and topics["demo"]["accuracy"] == pytest.approx(0.75)
    assert topics["demo"]["seen"] == 2 and topics["demo"]["questions"] == 6
    assert topics["second"]["accuracy"] == 0.0
    assert 0 < topics["demo"]["mastery"] <= 2 / 6
    assert data["attempts"] == 3 and data["right"] == 1 and data["streak"] == 1 and data["study_days"] == 1
    assert len(data["forecast"]) == 7 and data["forecast"][0]["due"] == 3  # learning steps: due again today
    assert [w["topic"] for w in data["weakest"]] == ["second", "demo"]
    assert data["weakest"][0]["command"] == "quizkit quiz --tag second"
    assert data["mistakes"] == 2

    out = invoke(["stats", "--bank", bank, "--bank", b2, "--lang", "en"]).output
    assert re.search(r"demo\s+█+░+\s+75%", out)
    assert "Study streak: 1 day(s) (best 1)" in out
    assert "Due in the next 7 days" in out
    assert "quizkit quiz --tag second" in out


def test_stats_keeps_every_figure_at_60_columns(home, bank, tmp_path):
    long_topic = "a-rather-long-topic-name"
    b2 = str(write_bank(tmp_path / "b2", BANK2.replace("second", long_topic), "second.yaml"))
    quiz(bank, "single", "a\n")
    quiz(bank, "multiple", "a\n")
    invoke(["quiz", "--bank", b2, "--type", "true_false", "--lang", "en"], input="f\n")
    for lang in ("en", "zh"):
        out = invoke(["stats", "--bank", bank, "--bank", b2, "--lang", lang], env={"COLUMNS": "60"}).output
        lines = out.splitlines()
        assert all(_cells(ln) <= 60 for ln in lines), out
        assert [ln for ln in lines if "…" in ln] == [ln for ln in lines if ln.startswith(long_topic[:10])][:1]
        assert re.search(r"^demo\s+█+░+\s+75%\s+░*█*░*\s+\d+%\s+2/6\s+\d+$", out, re.MULTILINE), out
        assert f"quizkit quiz --tag {long_topic}" in lines  or f"    quizkit quiz --tag {long_topic}" in lines
        assert any(re.search(r"(\d+:\d\d in total|累计 \d+:\d\d)$", ln) for ln in lines)  # time stays with its label


def test_stats_before_any_study(home, bank):
    out = invoke(["stats", "--bank", bank, "--lang", "en"]).output
    assert "No study history yet. Start with: quizkit quiz" in out
