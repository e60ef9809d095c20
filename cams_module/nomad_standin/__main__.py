"""``python -m cams_module.nomad_standin``: start the local NOMAD stand-in."""

from .cli import main

raise SystemExit(main())
