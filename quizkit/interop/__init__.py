"""Formats of the neighbours: Moodle XML and GIFT (export and import) and Anki packages (export).

Exporters take loaded `Question`s and return the file's content plus a report naming every question that was
skipped or lost something on the way; importers return a bank (plain data, written as YAML) plus a note for
every question, or part of one, that quizkit cannot express.
"""
