"""Scoring per question type, with the partial-credit schemes as a table of worked cases."""

from __future__ import annotations

import pytest

from quizkit.bank.model import KeyPoint, Question
from quizkit.quiz.rubric import rubric
from quizkit.quiz.scoring import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    AnswerError,
    choice_credit,
    parse_bool,
    parse_letters,
    parse_number,
    parse_rating,
    score,
    score_for_rating,
    shown_letters,
)


def q(**kw) -> Question:
    base = {"id": "x", "type": "single", "prompt": "p", "answer": "A", "bank": "b.yaml", "line": 1, "topic": "t"}
    base.update(kw)
    return Question(**base)


# Worked cases: the right options are A and C out of A-D (n = 4), then A, B, C out of A-E (n = 5).
# net_correct (PC):  (right picked - wrong picked) / #right, floored at 0
# coverage (COV):    (right picked / #right) * (right picked / #picked)
# each_answer (EDC): 1 - (wrong picks + right options missed) / n
# all_or_nothing:    1 only for exactly the right set
WORKED = [
    # picked   right    n  net_correct coverage each_answer all_or_nothing
    ("AC",    "AC",    4, 1.0,        1.0,     1.0,        1.0),
    ("A",     "AC",    4, 0.5,        0.5,     0.75,       0.0),
    ("AB",    "AC",    4, 0.0,        0.25,    0.5,        0.0),
    ("ABC",   "AC",    4, 0.5,        2 / 3,   0.75,       0.0),
    ("ABCD",  "AC",    4, 0.0,        0.5,     0.5,        0.0),
    ("B",     "AC",    4, 0.0,        0.0,     0.25,       0.0),
    ("BD",    "AC",    4, 0.0,        0.0,     0.0,        0.0),
    ("AB",    "ABC",   5, 2 / 3,      2 / 3,   0.8,        0.0),
    ("ABD",   "ABC",   5, 1 / 3,      4 / 9,   0.6,        0.0),
    ("ABCDE", "ABC",   5, 1 / 3,      0.6,     0.6,        0.0),
    ("E",     "ABC",   5, 0.0,        0.0,     0.2,        0.0),
]
SCHEMES = ("net_correct", "coverage", "each_answer", "all_or_nothing")


@pytest.mark.parametrize("picked,right,n,pc,cov,edc,aon", WORKED)
def test_partial_credit_worked_cases(picked, right, n, pc, cov, edc, aon):
    for scheme, expected in zip(SCHEMES, (pc, cov, edc, aon)):
        got = choice_credit(set(picked), set(right), n, scheme)
        assert got == pytest.approx(expected), f"{scheme}: picked {picked}, right {right}: {got} != {expected}"


@pytest.mark.parametrize("text,expected", [
    ("AC", ("A", "C")), ("a,c", ("A", "C")), ("A C", ("A", "C")), ("c a", ("A", "C")), ("ａｃ", ("A", "C")),
    ("A，C", ("A", "C")), ("a、c", ("A", "C")), ("cca", ("A", "C")), (" b ", ("B",)),
])
def test_letters_in_any_case_or_layout(text, expected):
    assert parse_letters(text, 4, single=False) == expected


@pytest.mark.parametrize("text,key", [("E", "bad_choice"), ("A1", "bad_choice"), ("", "bad_choice")])
def test_letters_outside_the_options_are_refused(text, key):
    with pytest.raises(AnswerError) as info:
        parse_letters(text, 4, single=False)
    assert info.value.key == key


def test_single_choice_needs_exactly_one_letter():
    with pytest.raises(AnswerError) as info:
        parse_letters("AB", 4, single=True)
    assert info.value.key == "one_letter"


def test_multiple_choice_is_scored_in_written_letters_when_shuffled():
    question = q(type="multiple", options=("w", "x", "y", "z"), answer=("A", "C"), scoring="net_correct")
    order = (2, 0, 3, 1)  # shown A=y, B=w, C=z, D=x: the right ones (w, y) are shown as A and B
    assert score(question, "AB", order).score == 1.0
    assert score(question, "AB", order).detail["written"] == "AC"
    assert score(question, "A", order).score == 0.5
    assert shown_letters(("A", "C"), order) == "AB"


def test_single_choice_is_all_or_nothing():
    question = q(options=("a", "b", "c"), answer="B")
    assert score(question, "b").score == 1.0
    assert score(question, "a").score == 0.0


@pytest.mark.parametrize("text,value", [
    ("T", True), ("t", True), ("对", True), ("y", True), ("yes", True), ("正确", True),
    ("F", False), ("f", False), ("错", False), ("n", False), ("no", False), ("错误", False),
])
def test_true_false_inputs(text, value):
    assert parse_bool(text) is value


def test_true_false_refuses_other_text():
    with pytest.raises(AnswerError):
        parse_bool("maybe")


@pytest.mark.parametrize("text,value", [
    ("1e-3", 0.001), ("132,863,336", 132863336.0), ("0.25", 0.25), ("1/4", 0.25), ("-3/2", -1.5),
    (" 42 ", 42.0), ("１２", 12.0), ("−0.5", -0.5), ("2.5e2", 250.0),
])
def test_numbers_in_common_forms(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "1/0", "1,2", "inf", "nan", ""])
def test_bad_numbers_are_refused(text):
    with pytest.raises(AnswerError):
        parse_number(text)


def test_number_with_unit():
    assert parse_number("3 ms", unit="ms") == 3.0


@pytest.mark.parametrize("answer,tol,rel,text,ok", [
    (0.25, None, None, "1/4", True),
    (0.3, None, None, "0.30000000000000004", True),  # exact, up to float rounding
    (0.25, None, None, "0.251", False),
    (0.25, 0.001, None, "0.2509", True),
    (0.25, 0.001, None, "0.2511", False),
    (100.0, None, 0.01, "100.9", True),
    (100.0, None, 0.01, "101.1", False),
    (132863336.0, None, None, "132,863,336", True),
])
def test_numeric_tolerances(answer, tol, rel, text, ok):
    question = q(type="numeric", answer=answer, tolerance=tol, rel_tolerance=rel)
    assert score(question, text).score == (1.0 if ok else 0.0)


def _short() -> Question:
    return q(type="short_answer", answer="model", key_points=(
        KeyPoint(2, ("感受野", "receptive field"), "感受野相同"),
        KeyPoint(2, ("参数更少", "fewer parameters"), "参数更少"),
        KeyPoint(1, ("非线性",), "更多非线性"),
    ))


def test_rubric_hits_any_phrasing_case_and_whitespace_insensitive():
    r = rubric(_short(), "Same Receptive  Field, 参数 更少")
    assert r.hits == ("感受野相同", "参数更少")
    assert r.missed == ("更多非线性",)
    assert r.score == pytest.approx(4 / 5)
    assert r.verdict == "partial" and r.rating == HARD


def test_rubric_all_and_nothing():
    assert rubric(_short(), "感受野 参数更少 非线性").score == 1.0
    assert rubric(_short(), "不知道").score == 0.0


@pytest.mark.parametrize("rating,suggested,kept", [
    (HARD, 0.8, 0.8),  # confirming the suggestion keeps the rubric's score
    (AGAIN, 0.8, 0.0),
    (GOOD, 0.8, 1.0),
    (EASY, 0.0, 1.0),
    (GOOD, 1.0, 1.0),
    (AGAIN, 0.0, 0.0),
    (HARD, 0.0, 0.5),
])
def test_self_rating_overrides_the_suggested_score(rating, suggested, kept):
    assert score_for_rating(rating, suggested) == kept


@pytest.mark.parametrize("text,rating", [("", None), ("1", AGAIN), ("2", HARD), ("3", GOOD), ("4", EASY),
                                         ("good", GOOD), (" 4 ", EASY)])
def test_parse_rating(text, rating):
    assert parse_rating(text) == rating


def test_parse_rating_refuses_other_text():
    with pytest.raises(AnswerError):
        parse_rating("5")


def test_ratings_from_correctness():
    question = q(type="multiple", options=("a", "b", "c", "d"), answer=("A", "C"))
    assert score(question, "AC").rating == GOOD
    assert score(question, "A").rating == HARD
    assert score(question, "BD").rating == AGAIN
