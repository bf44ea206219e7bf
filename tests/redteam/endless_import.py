"""Red team: never finish being imported."""
while True:
    pass
