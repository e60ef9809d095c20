"""A hostile HTTP client of jam.py's real `/api`: the saves and reads a browser would send,
built by hand so a test can send what no honest browser would.

`save(session, item, rows, details)` posts one `apply` in the change format of the
jam.py that runs (`changes`: jam.py 5 keeps, per record, `record` = values + [status, {},
log id] under `data`; jam.py 7 a list of `logs` with `record_status`, `log_index`,
`record` and `details`); `raw(server, payload, session=None)` posts anything (without a
session: an anonymous client). Status codes are jam.py's (both versions): 1 inserted,
2 modified, 3 deleted, 4 only its details modified.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import requests

from tests.fixtures.cams_task import JAM_MAJOR

INSERT, MODIFY, DELETE, DETAILS = 1, 2, 3, 4
STEP_FIELDS = ["id", "deleted", "master_id", "master_rec_id", "position", "step_type", "name",
               "date", "operator", "field_values", "nomad_entry_id", "nomad_entry_link"]
PROCESS_FIELDS = ["id", "deleted", "name", "description", "owner_login", "project", "notes",
                  "nomad_status", "nomad_upload_id", "nomad_link", "nomad_message"]


def steps_detail_id(server: Any) -> int:
    """The id of the steps detail of processes (the key of step changes in a delta)."""
    with sqlite3.connect(server.folder / "admin.sqlite") as admin:
        (found,) = admin.execute("SELECT ID FROM SYS_ITEMS WHERE PARENT=? AND TABLE_ID=?",
                                 (server.items["processes"], server.items["steps"])).fetchone()
    return found


def raw(server: Any, payload: list, session: Any = None) -> dict:
    """POST `payload` to /api, with the session's cookies or none (anonymous)."""
    http = session.http if session is not None else requests
    reply = http.post(f"{server.url}api", data=json.dumps(payload), timeout=60)
    reply.raise_for_status()
    return reply.json()


def changes(fields: list[str], records: list[tuple[int, list, dict]]) -> dict:
    """A jam.py change log in the running jam.py's format: records are (status, values,
    details)."""
    if JAM_MAJOR >= 7:
        return {"fields": fields, "expanded": False, "logs": [
            {"record_status": status, "log_index": n, "record": list(values),
             "details": details} for n, (status, values, details) in enumerate(records)]}
    data = {}
    for n, (status, values, details) in enumerate(records, 1):
        data[str(n)] = {"old_record": [*values, [None, {}, str(n)]],
                        "record": [*values, [status, {}, str(n)]], "details": details}
    return {"fields": fields, "expanded": False, "data": data}


def save(session: Any, item: str, fields: list[str], records: list[tuple[int, list, dict]]
         ) -> str | None:
    """Apply `records` to `item` as `session`; None when saved, else jam.py's error."""
    server = session.server
    reply = raw(server, ["apply", server.task_id, server.items[item],
                         [changes(fields, records), {}], 0], session)
    return reply.get("error") or None


def stored_steps(session: Any, process_id: int) -> list[dict]:
    """The steps of a process as stored (read through /api, as `session`)."""
    rows = session.rows("steps", STEP_FIELDS[2:])
    return [r for r in rows if r["master_rec_id"] == process_id]


def step_values(step: dict, **changed: Any) -> list:
    """A stored step's values in STEP_FIELDS order, with `changed` fields replaced."""
    merged = {"deleted": 0, **step, **changed}
    return [merged.get(name) for name in STEP_FIELDS]


def process_values(process: dict, **changed: Any) -> list:
    """A stored process's values in PROCESS_FIELDS order, with `changed` replaced."""
    merged = {"deleted": 0, **process, **changed}
    return [merged.get(name) for name in PROCESS_FIELDS]


def stored_process(session: Any, process_id: int) -> dict:
    """A process as stored (read through /api as `session`)."""
    (row,) = session.rows("processes", PROCESS_FIELDS[1:], id=process_id)
    return row


def edit_step(session: Any, process_id: int, step: dict, **changed: Any) -> str | None:
    """Save one changed step of a process the way the process form does (master row
    unchanged, its steps detail carrying the modified step)."""
    server = session.server
    detail = {str(steps_detail_id(server)): changes(
        STEP_FIELDS, [(MODIFY, step_values(step, **changed), {})])}
    process = stored_process(session, process_id)
    return save(session, "processes", PROCESS_FIELDS,
                [(DETAILS, process_values(process), detail)])


def insert_step(session: Any, process_id: int, **values: Any) -> str | None:
    """Add one step to a process the way the process form does."""
    server = session.server
    step = {"id": None, "master_id": server.items["processes"], "master_rec_id": process_id,
            **values}
    detail = {str(steps_detail_id(server)): changes(
        STEP_FIELDS, [(INSERT, step_values(step), {})])}
    process = stored_process(session, process_id)
    return save(session, "processes", PROCESS_FIELDS,
                [(DETAILS, process_values(process), detail)])
