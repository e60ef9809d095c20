"""Hand an exported zip to the session that asked for it, and to nobody else.

The zip is written into a private folder of the task (`<task>/private/exports/<random>/`,
never under `static/`, which jam.py serves to anyone), read back into the reply of the
`export_zip` server function (base64) and deleted before that reply leaves: nothing stays
on disk to be fetched, expire or be forgotten. A folder left by a crash mid-export, and the
public `static/exports/` of earlier versions, are removed when the task starts.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cams_module.lims.prepare import write_zip

MAX_BYTES = 64 << 20  # a reply larger than this would strain the browser


class HandoverError(Exception):
    """The zip could not be handed over (the message is for the user)."""


def private_root(task: Any) -> Path:
    """Where exports are written for the moment of the hand-over (mode 0700)."""
    root = Path(task.work_dir) / "private" / "exports"
    root.mkdir(parents=True, exist_ok=True)
    root.parent.chmod(0o700)
    root.chmod(0o700)
    return root


def hand_over(task: Any, result: Any, name: str) -> dict:
    """{file_name, sha256, size, zip_base64} of the export's zip; the file is gone when this
    returns. OSError when it cannot be written; HandoverError when it is too large."""
    with tempfile.TemporaryDirectory(dir=private_root(task)) as folder:
        path, sha256 = write_zip(result, Path(folder), name)
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise HandoverError(f"The zip of process '{name}' is {size >> 20} MB, more than "
                                f"the {MAX_BYTES >> 20} MB a browser download from CAMS "
                                "takes; export it with `cams-nomad export` on the server.")
        content = base64.b64encode(path.read_bytes()).decode("ascii")
        file_name = path.name
    return {"file_name": file_name, "sha256": sha256, "size": size, "zip_base64": content}


def sweep_at_start(task: Any) -> None:
    """Remove exports a crash left behind, and the public folder of earlier versions."""
    work = Path(task.work_dir)
    shutil.rmtree(work / "static" / "exports", ignore_errors=True)
    root = work / "private" / "exports"
    if root.is_dir():
        for folder in root.iterdir():
            shutil.rmtree(folder, ignore_errors=True)
