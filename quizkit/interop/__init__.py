"""Formats of the neighbours: Moodle XML and GIFT (bank export and import), Anki packages, Gradescope
autograders and notebook submissions.

Bank exporters take loaded `Question`s and return the file's content plus a report naming every question that was
skipped or lost something on the way; importers return a bank (plain data, written as YAML) plus a note for
every question, or part of one, that quizkit cannot express.
"""
