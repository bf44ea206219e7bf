"""`quizkit grade-batch` results a teacher can use: a real class of real submissions, graded in the sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from csv_rows import read_csv

from quizkit.cli import cli
from quizkit.paths import exercises_dir, reference_dir

REFERENCE = reference_dir() / "sigmoid.py"
STARTER = exercises_dir() / "sigmoid" / "starter.py"
OVERFLOW = exercises_dir() / "sigmoid" / "mutants" / "overflowing_exp_ratio.py"
REDTEAM = Path(__file__).parent / "redteam"
FORBIDDEN = "import torch\n\ndef sigmoid(x):\n    return torch.sigmoid(x)\n\ndef sigmoid_grad(x):\n    return x\n"

# student -> (what they handed in, the reason grade-batch must give)
CLASS: dict[str, tuple[str | bytes, str]] = {
    "张三": (REFERENCE.read_text(), ""),
    "s2": ("import torch\nraise SystemExit(0)\n", "import_crash"),
    "s10": ((REDTEAM / "endless_loop.py").read_text(), "timeout"),
    "Bob": ("def sigmoid(x)\n    return x\n", "syntax_error"),
    "alice": (FORBIDDEN, "forbidden"),
    "dave": (b"\xff\xfe not text", "unreadable"),
    "erin": (OVERFLOW.read_text(), "wrong"),
    "frank": (STARTER.read_text(), "exception"),
    "gina": ((REDTEAM / "endless_import.py").read_text(), "timeout"),
    "hal": ("def sigmoid(x):\n    print('x' * 100000)\n\ndef sigmoid_grad(x):\n    print('y' * 100000)\n",
            "output_flood"),
    "ivan": ("def sigmoid(x):\n    raise SystemExit(3)\n\ndef sigmoid_grad(x):\n    raise SystemExit(3)\n", "crash"),
    "kim": ((REDTEAM / "exit_at_import.py").read_text(), "forbidden"),  # `import sys` is not on the allowlist
    "judy": ("import torch\n\ndef sigmoid(x):\n    return torch.exp(-x.abs())\n", "missing"),
}
SUBFOLDER = "carol"  # handed in as carol/sigmoid.py: raises while being imported
LABELS = {"import_crash": "import crash: ", "timeout": "timeout: ", "syntax_error": "syntax error: ",
          "forbidden": "forbidden API: ", "unreadable": "unreadable file: ", "wrong": "wrong result: ",
          "exception": "exception: ", "output_flood": "too much output: ", "crash": "crash: ",
          "missing": "missing function: "}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def write_class(folder: Path, students: dict[str, tuple[str | bytes, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (source, _) in students.items():
        path = folder / f"{name}.py"
        path.write_bytes(source) if isinstance(source, bytes) else path.write_text(source, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The whole class, graded once with two jobs, a CSV and Chinese feedback."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("class")
    mp.setenv("QUIZKIT_HOME", str(tmp / "home"))
    mp.setenv("LANG", "en_US.UTF-8")
    folder = write_class(tmp / "class", CLASS)
    (folder / SUBFOLDER).mkdir()
    (folder / SUBFOLDER / "sigmoid.py").write_text("import torch\nraise ValueError('no luck')\n")
    out, feedback = tmp / "results.csv", tmp / "feedback"
    result = run("grade-batch", "sigmoid", str(folder), "--output", str(out), "--jobs", "2",
                 "--feedback-dir", str(feedback), "--lang", "zh")
    yield result, read_csv(out), out, feedback
    mp.undo()


def test_every_student_once_sorted_with_one_zero_passed(graded):
    result, rows, _, _ = graded
    assert result.exit_code == 0, result.output
    names = [r["student"] for r in rows]
    assert names == ["alice", "Bob", "carol", "dave", "erin", "frank", "gina", "hal", "ivan", "judy", "kim", "s2",
                     "s10", "张三"]
    assert {r["student"]: r["passed"] for r in rows if r["passed"] == "1"} == {"张三": "1"}
    assert {r["passed"] for r in rows} == {"0", "1"}
    assert "已评 14 名学生，1 名通过" in result.output  # --lang zh


@pytest.mark.parametrize("student", [*CLASS, SUBFOLDER])
def test_error_names_the_reason(graded, student):
    _, rows, _, _ = graded
    entry = next(r for r in rows if r["student"] == student)
    expected = "import_crash" if student == SUBFOLDER else CLASS[student][1]
    assert entry["reason"] == expected, entry
    if not expected:
        assert entry["error"] == "" and entry["failed_tests"] == ""
        return
    assert entry["error"].startswith(LABELS[expected]), entry["error"]
    assert len(entry["error"]) > len(LABELS[expected]) + 5  # the deciding message follows the label
    assert "\n" not in entry["error"]


def test_error_quotes_the_deciding_message(graded):
    rows = {r["student"]: r for r in graded[1]}
    # the fixture grades in --lang zh: the messages are Chinese, the labels (and reason codes) English
    assert "sigmoid(tensor(shape=(401,)" in rows["s10"]["error"] and "3 秒" in rows["s10"]["error"]
    assert "gina.py" in rows["gina"]["error"]
    assert "sys.exit(0)" in rows["s2"]["error"] and "导入时" in rows["s2"]["error"]
    assert "ValueError: no luck" in rows["carol"]["error"]
    assert "Bob.py:1" in rows["Bob"]["error"] and "SyntaxError" in rows["Bob"]["error"]
    assert "torch.sigmoid" in rows["alice"]["error"]
    assert "UTF-8" in rows["dave"]["error"]
    assert "sigmoid_grad" in rows["judy"]["error"]


def test_sha256_is_the_file_content_hash(graded):
    import hashlib

    for entry in graded[1]:
        assert entry["sha256"] == hashlib.sha256(Path(entry["file"]).read_bytes()).hexdigest()


def test_progress_shows_done_total_failures_and_eta(graded):
    result = graded[0]
    assert "14/14" in result.stderr
    assert "未通过 13" in result.stderr  # --lang zh: the failures so far
    assert "ETA" in result.stderr


def test_feedback_dir_has_one_report_per_student_in_their_language(graded):
    _, rows, _, feedback = graded
    assert sorted(p.name for p in feedback.iterdir()) == sorted(
        f"{r['student']}{ext}" for r in rows for ext in (".txt", ".json"))
    text = (feedback / "s10.txt").read_text(encoding="utf-8")
    assert text.startswith("学生：s10\n未通过的主要原因：超时：")
    assert "总分: 0/10" in text and "（隐藏测试不显示细节）" in text
    data = json.loads((feedback / "s10.json").read_text(encoding="utf-8"))
    assert data["student"] == "s10" and data["reason"] == "timeout" and len(data["tests"]) == 8
    assert all(t["status"] == "timeout" for t in data["tests"])
    passed = (feedback / "张三.txt").read_text(encoding="utf-8")
    assert "全部通过" in passed and "原因" not in passed


def test_feedback_redacts_hidden_tests_even_under_reveal_hidden(tmp_path):
    folder = write_class(tmp_path / "class", {"frank": (STARTER.read_text(), "")})
    out, feedback = tmp_path / "r.json", tmp_path / "fb"
    result = run("grade-batch", "sigmoid", str(folder), "-o", str(out), "--feedback-dir", str(feedback),
                 "--reveal-hidden", "--lang", "en")
    assert result.exit_code == 0, result.output
    hidden = [t for t in json.loads(out.read_text())["students"][0]["tests"] if t["visibility"] == "hidden"]
    assert hidden and all("NotImplementedError" in t["message"] for t in hidden)  # the instructor sees it
    handed = [t for t in json.loads((feedback / "frank.json").read_text())["tests"] if t["visibility"] == "hidden"]
    assert [t["name"] for t in handed] == [t["name"] for t in hidden]
    assert all(t["message"] == "" and t["status"] == "failed" for t in handed)
    assert "Student: frank" in (feedback / "frank.txt").read_text()


def test_json_keeps_every_test_status_and_message(tmp_path):
    folder = write_class(tmp_path / "class", {"ok": (REFERENCE.read_text(), ""), "frank": (STARTER.read_text(), "")})
    out = tmp_path / "r.json"
    assert run("grade-batch", "sigmoid", str(folder), "-o", str(out)).exit_code == 0
    students = json.loads(out.read_text(encoding="utf-8"))["students"]
    assert [s["student"] for s in students] == ["frank", "ok"]
    frank = students[0]
    assert frank["passed"] is False and frank["reason"] == "exception"
    visible = [t for t in frank["tests"] if t["visibility"] == "visible"]
    assert len(frank["tests"]) == 8 and all(t["status"] == "failed" for t in frank["tests"])
    assert all("NotImplementedError" in t["message"] for t in visible)
    assert [t["message"] for t in frank["tests"] if t["visibility"] == "hidden"] == [""]  # no --reveal-hidden
    assert students[1]["passed"] is True and all(t["status"] == "passed" for t in students[1]["tests"])


def test_excel_writes_a_bom_and_neutralises_formulas(tmp_path):
    folder = write_class(tmp_path / "class", {"张三": (REFERENCE.read_text(), ""), "=HYPERLINK(1)": ("x = (", "")})
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert run("grade-batch", "sigmoid", str(folder), "-o", str(plain)).exit_code == 0
    assert run("grade-batch", "sigmoid", str(folder), "-o", str(excel), "--excel").exit_code == 0
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstudent,") and "张三".encode() in raw
    assert raw.decode("utf-8-sig").splitlines()[1].startswith("'=HYPERLINK(1),")
    assert plain.read_text(encoding="utf-8").splitlines()[1].startswith("=HYPERLINK(1),")
    again = run("grade-batch", "sigmoid", str(folder), "-o", str(excel), "--excel", "--resume")
    assert "2 already graded, 0 to go" in again.stderr, again.stderr  # the apostrophe is read back off
    assert raw == excel.read_bytes()
    bad = run("grade-batch", "sigmoid", str(folder), "-o", str(tmp_path / "r.json"), "--excel")
    assert bad.exit_code == 2 and "--excel is for a .csv" in bad.output


def test_resume_regrades_a_resubmitted_file_by_its_hash(tmp_path):
    folder = write_class(tmp_path / "class", {"ann": (REFERENCE.read_text(), ""), "ben": (STARTER.read_text(), ""),
                                              "cat": (REFERENCE.read_text(), "")})
    out = tmp_path / "r.csv"
    assert run("grade-batch", "sigmoid", str(folder), "-o", str(out)).exit_code == 0
    before = {r["student"]: r for r in read_csv(out)}
    assert before["ben"]["passed"] == "0"
    (folder / "ben.py").write_text(REFERENCE.read_text())  # same name, new content
    shutil.copy(REFERENCE, folder / "dan.py")
    again = run("grade-batch", "sigmoid", str(folder), "-o", str(out), "--resume")
    assert again.exit_code == 0, again.output
    assert "2 already graded, 2 to go (1 resubmitted)" in again.stderr
    after = {r["student"]: r for r in read_csv(out)}
    assert [r["student"] for r in read_csv(out)] == ["ann", "ben", "cat", "dan"]
    assert after["ben"]["passed"] == "1" and after["ben"]["sha256"] != before["ben"]["sha256"]
    assert after["ann"] == before["ann"] and after["cat"] == before["cat"]  # not regraded
    third = run("grade-batch", "sigmoid", str(folder), "-o", str(out), "--resume")
    assert "4 already graded, 0 to go" in third.stderr


def test_resume_regrades_students_whose_feedback_is_missing(tmp_path):
    folder = write_class(tmp_path / "class", {"ann": (REFERENCE.read_text(), ""), "ben": (STARTER.read_text(), "")})
    out, feedback = tmp_path / "r.csv", tmp_path / "fb"
    assert run("grade-batch", "sigmoid", str(folder), "-o", str(out)).exit_code == 0
    again = run("grade-batch", "sigmoid", str(folder), "-o", str(out), "--resume", "--feedback-dir", str(feedback))
    assert "0 already graded, 2 to go" in again.stderr
    assert sorted(p.name for p in feedback.iterdir()) == ["ann.json", "ann.txt", "ben.json", "ben.txt"]
    assert len(read_csv(out)) == 2


def test_a_hidden_deciding_test_is_named_never_quoted():
    from quizkit.grading.report import GradeReport, Status, TestResult
    from quizkit.grading.results import failure_reason, row

    secret = "sigmoid_grad(tensor([-745.2, 709.8])) returned nan"
    report = GradeReport.from_tests("sigmoid", [
        TestResult("test_visible", Status.PASSED, 1, 1, ""),
        TestResult("test_secret", Status.FAILED, 0, 1, secret, "hidden"),
    ], duration_s=0.1)
    assert failure_reason(report).text() == f"wrong result: {secret}"  # the instructor's --reveal-hidden view
    shown = row("ann", Path("ann.py"), "", report.for_student())
    assert shown["error"] == "wrong result: test_secret (hidden test)" and shown["reason"] == "wrong"
    assert secret not in json.dumps(shown, ensure_ascii=False)
    timed = GradeReport.from_tests("sigmoid", [
        TestResult("test_a", Status.FAILED, 0, 1, "wrong values"),
        TestResult("test_b", Status.TIMEOUT, 0, 1, "sigmoid(x) did not finish within 3 s"),
    ], duration_s=0.1)
    assert failure_reason(timed).code == "timeout"  # a timeout decides over a wrong value, whatever the order


def test_sort_order_does_not_depend_on_who_finished_first():
    from quizkit.grading.results import student_key

    names = ["s10", "s2", "ann", "Ann", "张三", "1²", "Bob", "s02"]
    expected = ["1²", "Ann", "ann", "Bob", "s02", "s2", "s10", "张三"]
    assert sorted(names, key=student_key) == sorted(reversed(names), key=student_key) == expected
