"""The jam.py side of the bridge: reading and writing CAMS rows, rights, the job store
and the upload jobs. Framework words (items, datasets, sessions) live only here."""
