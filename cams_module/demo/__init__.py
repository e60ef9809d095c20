"""The demo: CAMS (jam.py, sqlite) and the local NOMAD stand-in started as one command
(`python -m cams_module.demo`, i.e. `./run demo`)."""
