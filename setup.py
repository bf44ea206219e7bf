"""Copies the shipped banks, exercises and references into the wheel as quizkit/data."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CONTENT = ("questions", "exercises", "reference")


class BuildWithContent(build_py):
    def run(self):
        super().run()
        here = Path(__file__).parent
        target = Path(self.build_lib) / "quizkit" / "data"
        for name in CONTENT:
            src = here / name
            if src.is_dir():
                shutil.copytree(src, target / name, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithContent})
