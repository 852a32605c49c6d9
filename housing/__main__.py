"""Run the command line as ``python -m housing``."""

from .cli import main

raise SystemExit(main())
