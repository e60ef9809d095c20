"""NOMAD upload log: append-only. Rows are written by the server, never changed."""


def on_apply(item, delta, params, connection):
    """Refuse changes from the web interface, and any edit or deletion of a row."""
    if getattr(delta, "client_changes", False):
        raise Exception("The NOMAD upload log cannot be changed: it is a permanent record.")
    for row in delta:
        if row.rec_modified() or row.rec_deleted():
            raise Exception("NOMAD upload log rows are never changed or deleted.")
