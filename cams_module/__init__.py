"""cams-nomad: publish CAMS fabrication processes to NOMAD as FAIR data."""

__version__ = "0.1.0"
