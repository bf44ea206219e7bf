"""Verdicts are computed in the supervisor, replies are typed and numbered, SymPy work is bounded, and every
submission gets a report: real sandboxed children, real exercises, no mocks of the grader."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch

from quizkit.errors import QuizkitError
from quizkit.grading.exercises import list_exercises, load_exercise
from quizkit.grading.harness.proxy import Submission
from quizkit.grading.harness.session import Session
from quizkit.grading.report import Status
from quizkit.grading.runner import REPORT_BOUND_S, TRUSTED_SHARE_S, Grader, check_budget
from quizkit.grading.sandbox.limits import Limits
from quizkit.grading.wire import codec as protocol
from quizkit.grading.wire.replies import Ok, Raised, parse_reply, wire
from quizkit.symbolic import SymbolicTimeout, bounded, equivalent

REDTEAM = Path(__file__).with_name("redteam")
SMALL = Limits(call_seconds=3, total_seconds=8, cpu_seconds=8, memory_mb=1024, processes=1, file_size_mb=4,
               output_kb=16)


def _session(source: str, probes: str | None = None) -> Session:
    session = Session(source=source, filename="sub.py", limits=SMALL, forbidden=(), probes=probes, hide=[],
                      secrets=[])
    session.begin_test("test_demo")
    return session


# -- "the input was not modified" is decided here, from the arguments the child sends back -------------------------
PATCHING = """
import torch
torch.equal = lambda *a, **k: True  # the old probe asked torch.equal, in the child, whether x had changed

def scale(x):
    x.mul_(2)
    return x.clone()

def honest(x):
    return x * 2
"""

OLD_STYLE_PROBE = """
import torch

def changed_according_to_the_child(module, x):
    before = x.clone()
    module.scale(x)
    return not torch.equal(x, before)
"""


def test_modified_input_is_seen_by_the_supervisor_even_with_torch_equal_patched():
    session = _session(PATCHING, OLD_STYLE_PROBE)
    try:
        x = torch.arange(4, dtype=torch.float64)
        # Positive control: a verdict computed in the child is fooled by the patch.
        assert Submission(session).probe("changed_according_to_the_child", x) is False
        # The supervisor compares what it sent with what the child sends back after the call.
        value, after, _ = Submission(session).call_with_inputs("scale", x)
        assert torch.equal(value, x * 2) and torch.equal(after[0], x * 2) and torch.equal(x, torch.arange(4.0).double())
        strict = Submission(session, read_only_inputs=True)
        with pytest.raises(AssertionError, match="changed argument 1 in place"):
            strict.scale(x)
        assert torch.equal(strict.honest(x), x * 2)  # an honest call passes the same check
    finally:
        session.close()


def test_a_generator_crosses_as_its_seed():
    session = _session("import torch\n\ndef draw(gen):\n    return torch.rand(3, generator=gen, dtype=torch.float64)\n")
    try:
        sub = Submission(session)
        a, b = sub.draw(protocol.Seeded(7)), sub.draw(protocol.Seeded(7))
        want = torch.rand(3, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
        assert torch.equal(a, b) and torch.equal(a, want)
    finally:
        session.close()


# -- typed replies and sequence numbers ------------------------------------------------------------------------
def test_replies_are_typed_and_facts_are_fields():
    assert parse_reply(wire("raised", type="ValueError", message="bad", where="f.py:3, in f"), b"") == \
        Raised("ValueError", "bad", "f.py:3, in f")
    obj, blobs, size = protocol.encode(torch.ones(2))
    reply = parse_reply(wire("ok", value=obj, inputs=None), b"".join(blobs))
    assert isinstance(reply, Ok) and torch.equal(reply.value, torch.ones(2)) and reply.inputs is None
    for bad in ({"kind": "ok!"}, {"kind": "made", "handle": "1"}, {"kind": "raised", "type": 3}):
        with pytest.raises(protocol.ProtocolError):
            parse_reply(bad, b"")


FORGER = """
import json, os, stat, struct

def _frame(seq, value):
    text = json.dumps({"kind": "ok", "value": value, "inputs": None, "seq": seq}).encode()
    return struct.pack("!4sIQ", b"QKv1", len(text), 0) + text

def forge(seq):
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, _frame(seq, 42))
        except OSError:
            pass
    return 7

def ping():
    return "pong"
"""


def test_an_extra_reply_counts_as_a_crash_not_as_a_shifted_answer():
    session = _session(FORGER)
    try:
        sub = Submission(session)
        assert sub.ping() == "pong"
        # Positive control: a forged reply that carries the right number is read as the answer (the child may
        # answer for itself), but the real reply is then left over and the next request is a crash.
        assert session.sandbox is not None
        assert sub.forge(session.sandbox._seq + 1) == 42
        with pytest.raises(protocol.SandboxFailure, match="out of order"):
            sub.ping()
        # A guessed number is wrong at once.
        with pytest.raises(protocol.SandboxFailure, match="out of order"):
            sub.forge(1)
        assert session.events["test_demo"].status is Status.ERROR
    finally:
        session.close()


# -- red-team submissions on the real exercises -------------------------------------------------------------------
def test_batchnorm_that_patches_torch_equal_and_modifies_x_loses_marks():
    # The static scan refuses `torch.equal = ...` outright; this is about the verdict in the supervisor behind it.
    report = Grader(load_exercise("batchnorm"), disable=("scan",)).grade(REDTEAM / "batchnorm_patch_equal.py")
    assert report.score < report.max_score
    failed = [t for t in report.tests if t.name == "test_forward_method_and_input_unchanged"]
    assert failed and failed[0].status is Status.FAILED and "changed x in place" in failed[0].message


@pytest.mark.parametrize("name", ["probe_by_frames.py", "probe_by_arguments.py"])
def test_sigmoid_that_behaves_only_while_watched_loses_marks(name):
    report = Grader(load_exercise("sigmoid")).grade(REDTEAM / name)
    assert report.score < report.max_score
    # Not only the in-place test: every call is watched the same way.
    assert sum(not t.passed for t in report.tests) >= 4, [t.message for t in report.tests]


def test_simplify_bomb_gets_a_report_and_no_marks():
    report = Grader(load_exercise("derivations")).grade(REDTEAM / "derivations_simplify_bomb.py")
    assert report.score == 0 and len(report.tests) >= 6
    assert {t.status for t in report.tests} == {Status.FAILED}


def test_vgg11_sleeper_runs_out_of_budget_and_gets_a_report(tmp_path):
    sub = tmp_path / "vgg11.py"
    sub.write_text((REDTEAM / "vgg11_sleeper.py").read_text().replace("__NAP__", "2.5"))
    grader = Grader(load_exercise("vgg11"), limits=SMALL, disable=("scan",))  # the scan refuses `import time`
    report = grader.grade(sub)
    assert report.score == 0 and report.tests
    assert any("total time budget" in t.message for t in report.tests)
    assert grader.last_session.used <= SMALL.total_seconds + SMALL.call_seconds


# -- every report within the bound ----------------------------------------------------------------------------------
def test_every_exercise_budget_fits_in_the_report_bound():
    for ex in list_exercises():
        check_budget(ex)
        assert ex.limits.total_seconds + TRUSTED_SHARE_S <= REPORT_BOUND_S, ex.id
        assert ex.limits.call_seconds <= ex.limits.total_seconds, ex.id


def test_an_oversized_budget_is_a_broken_exercise():
    from dataclasses import replace

    ex = load_exercise("vgg11")
    big = replace(ex, limits=replace(ex.limits, total_seconds=300))
    with pytest.raises(QuizkitError, match=r"exercise.yaml: limits.total_seconds is 300 s"):
        check_budget(big)


# -- SymPy under a limit --------------------------------------------------------------------------------------------
def _spin() -> int:
    while True:
        pass


def test_bounded_work_is_stopped_at_its_limit():
    with pytest.raises(SymbolicTimeout):
        bounded(_spin, cpu_seconds=1, wall_seconds=0.5)
    assert bounded(sum, [1, 2, 3]) == 6


def test_too_few_evaluable_points_is_not_equivalent():
    # The same text on both sides, but complex-valued everywhere: never a fall-through to simplify.
    bomb = "sqrt(-1 - s**2)*(exp(s) + exp(-s))**7*(sin(s + 1)*cos(s - 1) + tan(s)**2)**4"
    assert equivalent(bomb, bomb, ["s"]) is False
    assert equivalent("s*(1 - s)", "s - s**2", ["s"]) is True
    assert equivalent("s*(1 + s)", "s - s**2", ["s"]) is False


def test_bounded_leaves_no_process_behind():
    before = _children()
    for _ in range(3):
        with pytest.raises(SymbolicTimeout):
            bounded(time.sleep, 5, wall_seconds=0.2)
    assert _children() == before


def _children() -> set[int]:
    me = str(os.getpid())
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                out.add(int(entry))
    return out
