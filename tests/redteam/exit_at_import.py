# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: leave with exit status 0 before any test runs, hoping 'exit 0' reads as success."""
import sys

sys.exit(0)
