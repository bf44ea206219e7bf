"""`python -m quizkit`. Python puts the current folder first on sys.path for -m; in a folder of students' files, a
`torch.py` or `numpy.py` there would be imported by the grader and every process it starts. The folder stays on
the path only where quizkit itself lives (a source checkout run in place)."""

import os
import sys

_package_root = os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.realpath(os.getcwd()) != _package_root:
    del sys.path[0]

from quizkit.cli import main  # noqa: E402 - after the path is settled

main()
