# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: hard-exit (no cleanup, no exception) while being imported."""
import os

os._exit(0)
