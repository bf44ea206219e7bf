# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: never finish being imported."""
while True:
    pass
