"""How gonogo reaches the thing it checks (here: the local machine), apart from what it
checks: processes run to their end (``local``), long-running services beside gonogo
(``background``) and the docker client to start (``docker``). A utility below
check types and drivers: it may import ``core`` and ``private`` only."""
