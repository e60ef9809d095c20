"""``python -m cams_module.standin``: start the local NOMAD stand-in."""

from .cli import main

raise SystemExit(main())
