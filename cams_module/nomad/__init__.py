"""The NOMAD API v1 client: session, auth, retries, calls, typed results and errors.

Knows nothing of jam.py or of mappings. `NomadClient` (in `client.py`) is the public face;
`cams_module.api_collection` keeps the seed's function names over it.
"""
