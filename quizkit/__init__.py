"""quizkit: terminal quizzes and sandboxed exercise grading for a deep-learning course."""

__version__ = "0.1.0"
