"""A local NOMAD-compatible server (NOMAD API v1 subset) for trying cams-nomad offline.

It is a stand-in, not NOMAD: see docs/nomad-standin.md. Start it with
``python -m cams_module.standin --port 0 --users FILE``.
"""

from .server import StandinServer, make_server
from .state import Settings

__all__ = ["Settings", "StandinServer", "make_server"]
