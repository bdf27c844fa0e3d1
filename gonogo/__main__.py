from gonogo.cli import main

raise SystemExit(main())
