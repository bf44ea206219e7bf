"""Runs in the trusted supervisor, on text only: how alike a class's submissions are, pair by pair.

copydetect fingerprints each submission (pygments tokens with names and strings normalised, so renaming variables
does not hide a copy; every k-gram hashed, then winnowed) and measures, for each pair, the share of one file's
tokens also found in the other. The exercise's starter is boilerplate: its k-grams are removed from every
submission first, so what every student was given never counts as copied. Nothing a student wrote is imported or
run here; notebooks are compared on their code cells. numpy (through copydetect) is imported only when comparing.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizkit.errors import QuizkitError
from quizkit.paths import write_atomic

if TYPE_CHECKING:
    from quizkit.grading.batch import Student

DEFAULT_THRESHOLD = 0.5  # share of a file's own (non-starter) tokens found in the other file
NOISE = 25  # copydetect's noise threshold k: matches shorter than this many normalised characters are ignored
CSV_FIELDS = ["rank", "student_a", "student_b", "similarity_max", "similarity_a_to_b", "similarity_b_to_a",
              "matched_tokens_a", "matched_tokens_b", "tokens_a", "tokens_b", "file_a", "file_b"]


@dataclass(frozen=True)
class Pair:
    """Two students' submissions compared; a_to_b is the share of a's tokens that also occur in b."""

    a: Student
    b: Student
    a_to_b: float
    b_to_a: float
    matched_a: int  # a's tokens found in b (starter code excluded)
    matched_b: int
    tokens_a: int  # a's tokens compared: its code without what it shares with the starter
    tokens_b: int

    @property
    def score(self) -> float:
        """The larger share: a short file copied whole into a longer one is a copy, whichever way it is read."""
        return max(self.a_to_b, self.b_to_a)

    def row(self, rank: int) -> dict[str, Any]:
        return {"rank": rank, "student_a": self.a.name, "student_b": self.b.name,
                "similarity_max": f"{self.score:.4f}", "similarity_a_to_b": f"{self.a_to_b:.4f}",
                "similarity_b_to_a": f"{self.b_to_a:.4f}", "matched_tokens_a": self.matched_a,
                "matched_tokens_b": self.matched_b, "tokens_a": self.tokens_a, "tokens_b": self.tokens_b,
                "file_a": str(self.a.path), "file_b": str(self.b.path)}


@dataclass
class Similarity:
    """A class compared: the pairs, highest first, and what could not be read."""

    exercise: str
    threshold: float
    compared: list[Student]
    skipped: list[str]  # one line per unreadable submission: "file: why"
    pairs: list[Pair]
    _detector: Any = field(default=None, repr=False)

    def above(self) -> list[Pair]:
        return [p for p in self.pairs if p.score > self.threshold]

    def html(self) -> str:
        """copydetect's report: the similarity matrix, its histogram, and each pair above the threshold with the
        shared code highlighted on both sides."""
        import warnings

        with warnings.catch_warnings():  # copydetect 0.5 reads its template with a deprecated importlib call
            warnings.simplefilter("ignore", DeprecationWarning)
            return str(self._detector.generate_html_report(output_mode="return"))


def read_code(path: Path) -> str:
    """The Python source to compare: the file itself, or a notebook's code cells; QuizkitError names the file."""
    from quizkit.errors import describe_os_error
    from quizkit.grading.runner import MAX_SOURCE_BYTES
    from quizkit.render.i18n import t

    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_SOURCE_BYTES + 1)  # the grader's own limit: never a whole stray data file in memory
    except OSError as err:
        raise QuizkitError(describe_os_error(err, path)) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise QuizkitError(t("runner.too_large", file=path, limit=MAX_SOURCE_BYTES))
    if path.suffix == ".ipynb":
        from quizkit.interop.notebook import read

        return read(data, str(path)).source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise QuizkitError(t("similarity.not_utf8", file=path, byte=err.start)) from None


def _fingerprint(label: str, code: str, boilerplate: Any) -> Any:
    from copydetect import CodeFingerprint

    # window 1 (guarantee = noise threshold): every k-gram is kept; submissions here are small, and no copy of k
    # normalised characters or more is missed
    return CodeFingerprint(label, NOISE, 1, boilerplate=boilerplate, language="python", fp=io.StringIO(code))


def _detector(threshold: float, labels: list[str], prints: dict[str, Any]) -> Any:
    import matplotlib

    matplotlib.use("Agg")  # the report's plots are rendered to PNG; never open a window
    from copydetect import CopyDetector

    detector = CopyDetector(noise_t=NOISE, guarantee_t=NOISE, display_t=threshold, autoopen=False, silent=True,
                            force_language="python", out_file="similarity.html")
    # The fingerprints are made here from text (notebooks as their code cells), so copydetect's own file
    # discovery is left empty and run() only compares them: each pair once, both ways.
    detector.file_data = dict(prints)
    detector.test_files = list(labels)
    detector.ref_files = list(labels)
    detector.run()
    return detector


def compare(exercise_id: str, starter: Path | None, students: list[Student],
            threshold: float = DEFAULT_THRESHOLD, *, folder: Path | None = None) -> Similarity:
    """Every pair of readable submissions, most similar first; unreadable ones are listed in `skipped`.
    `folder` is named when fewer than two can be compared."""
    import numpy as np
    from markupsafe import escape

    from quizkit.render.i18n import t

    codes: dict[int, str] = {}
    skipped = []
    for i, student in enumerate(students):
        try:
            codes[i] = read_code(student.path)
        except QuizkitError as err:
            skipped.append(str(err))
    readable = [students[i] for i in codes]
    if len(readable) < 2:
        raise QuizkitError(t("similarity.too_few", folder=folder or ".", n=len(readable),
                                                 skipped=len(skipped)))
    boilerplate = np.array([])
    if starter is not None and starter.is_file():
        # the starter's every k-gram (window 1), exactly as copydetect fingerprints its boilerplate files
        boilerplate = np.unique(np.array(list(_fingerprint("starter", read_code(starter), None).hashes)))
    # copydetect's report template writes file names unescaped in one place: the labels are escaped once here
    # (a Markup string), so a student named `<script>.py` is text in the report, never markup
    labels: list[str] = [escape(s.name) for s in readable]
    prints = {label: _fingerprint(label, codes[i], boilerplate) for label, i in zip(labels, codes)}
    detector = _detector(threshold, labels, prints)
    sims, overlaps = detector.similarity_matrix, detector.token_overlap_matrix
    pairs = []
    for i, j in itertools.combinations(range(len(readable)), 2):
        a_to_b, b_to_a = (float(v) for v in sims[i, j])
        tokens_a, tokens_b = (int(prints[labels[k]].token_coverage) for k in (i, j))
        pairs.append(Pair(readable[i], readable[j], a_to_b, b_to_a, matched_a=int(overlaps[i, j]),
                          matched_b=round(b_to_a * tokens_b), tokens_a=tokens_a, tokens_b=tokens_b))
    pairs.sort(key=lambda p: (-p.score, -min(p.a_to_b, p.b_to_a), p.a.name, p.b.name))
    return Similarity(exercise_id, threshold, readable, skipped, pairs, detector)


def output_paths(exercise_id: str, folder: Path) -> tuple[Path, Path]:
    """Where the pairs (CSV) and the report (HTML) go in `folder`: `<exercise>-similarity.csv` and `.html`."""
    return folder / f"{exercise_id}-similarity.csv", folder / f"{exercise_id}-similarity.html"


def write(result: Similarity, folder: Path, *, excel: bool = False) -> tuple[Path, Path]:
    """Write the ranked pairs and the HTML report into `folder` (created if missing), each file atomically."""
    from quizkit.errors import describe_os_error
    from quizkit.grading.results import excel_cell  # the same guard as grade-batch's results.csv

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise QuizkitError(describe_os_error(err, folder)) from None
    csv_path, html_path = output_paths(result.exercise, folder)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rank, pair in enumerate(result.pairs, 1):
        row = pair.row(rank)
        writer.writerow({k: excel_cell(v) for k, v in row.items()} if excel else row)
    write_atomic(csv_path, ("\ufeff" if excel else "") + buf.getvalue())
    result._detector.conf.out_file = str(html_path)  # shown in the report's configuration
    write_atomic(html_path, result.html())
    return csv_path, html_path
