"""The archive editor behind the `official` command: model, units, CLI and Tk window."""
