"""How gonogo reaches the thing it checks (here: the local machine), apart from what it
checks: processes (``local``) and the docker client to start (``docker``). A utility below
check types and drivers: it may import ``core`` and ``private`` only."""
