"""How gonogo reaches the thing it checks (here: the local machine), apart from what it checks."""
