"""NOMAD state kept in the CAMS database: process status, step entries, jobs, the log.

Every change is one transaction (`write_back`): the process's nomad_* fields, its steps'
entry ids and links, the job row and an upload log row commit together or not at all.
Updates name only the columns they change, so a user saving the process form and a worker
writing the status never overwrite each other's fields (`guard` leaves the NOMAD fields
out of a client's UPDATE). Upload log rows are only ever inserted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any

from cams_module.lims.connections import (
    POSTGRESQL,
    connection,
    database_path,
    is_sqlite,
)
from cams_module.lims.jam_compat import (
    column_name,
    insert_sql,
    last_row_id,
    next_id_sql,
    rows_with,
    select,
    value_literal,
)
from cams_module.lims.one_trip import claim_with_row
from cams_module.lims.reader import active_layout
from cams_module.lims.times import now
from cams_module.lims.write_lock import ensure_wal, sqlite_writer
from cams_module.status import NomadStatus

BUSY = tuple(str(s) for s in NomadStatus if s.busy)
PROCESS_NOMAD_FIELDS = ("nomad_status", "nomad_upload_id", "nomad_link", "nomad_message",
                        "nomad_uploaded_at", "nomad_published_at")
STEP_NOMAD_FIELDS = ("nomad_entry_id", "nomad_entry_link")


@dataclass
class ProcessState:
    """A process's NOMAD fields as stored in CAMS."""

    id: int
    name: str
    owner: str
    status: NomadStatus
    upload_id: str | None
    link: str | None
    message: str | None
    uploaded_at: Any
    published_at: Any


@contextmanager
def transaction(task: Any, wait: float = 0.0, urgent: bool = False) -> Iterator[Any]:
    """A database connection whose work is committed together, or rolled back on error
    (`connections`: kept open per thread on SQLite; `wait`: for jam.py's pool at start).
    On SQLite the write turn is held (`write_lock`). `urgent` (a press's claim): before
    the workers, and committed without waiting for the disk — the worker's next commit,
    which waits, makes it durable before anything is sent to NOMAD."""
    with connection(task, wait) as con:
        sqlite = is_sqlite(task)
        database = database_path(task) if sqlite else ""
        if sqlite and ensure_wal(database, con):  # see write_lock: urgent, no disk wait
            con.execute(f"PRAGMA synchronous={'NORMAL' if urgent else 'FULL'}")
        elif urgent and task.db_type == POSTGRESQL:  # the same, on PostgreSQL
            con.cursor().execute("SET LOCAL synchronous_commit TO OFF")
        with sqlite_writer(database, urgent) if sqlite else nullcontext():
            try:
                yield con
                con.commit()
            except BaseException:
                con.rollback()
                raise


def _status(text: str | None) -> NomadStatus:
    try:
        return NomadStatus(text) if text else NomadStatus.NOT_UPLOADED
    except ValueError:
        return NomadStatus.NOT_UPLOADED


def processes_item(task: Any) -> Any:
    """The jam.py item holding processes (per the active reader layout)."""
    return task.item_by_name(active_layout().processes)


def steps_item(task: Any) -> Any:
    """The jam.py table holding steps (per the active reader layout)."""
    return task.item_by_name(active_layout().steps)


def _state(row: Any) -> ProcessState:
    fields = active_layout().process_fields
    return ProcessState(
        id=row.id.value, name=row.field_by_name(fields["name"]).value,
        owner=row.field_by_name(fields["owner"]).value,
        status=_status(row.nomad_status.value), upload_id=row.nomad_upload_id.value or None,
        link=row.nomad_link.value or None, message=row.nomad_message.value or None,
        uploaded_at=row.nomad_uploaded_at.value or None,
        published_at=row.nomad_published_at.value or None)


def process_state(task: Any, process_id: int) -> ProcessState | None:
    """The process's NOMAD state, or None when there is no such process."""
    rows = processes_item(task).copy(handlers=False, details=False)
    rows.set_where(id=process_id)
    rows.open()
    return _state(rows) if rows.record_count() == 1 else None


def process_brief(task: Any, process_id: int) -> ProcessState | None:
    """What a press needs of a process (id, name, owner, status, upload id; the other
    fields are None), in one plain SELECT — or None when there is no such process."""
    item = processes_item(task)
    fields = active_layout().process_fields
    names = ["id", fields["name"], fields["owner"], "nomad_status", "nomad_upload_id"]
    where = f'"{item._primary_key_db_field_name}"={int(process_id)}'
    if item._deleted_flag:
        where += f" AND ({column_name(item, item._deleted_flag)}=0 OR " \
                 f"{column_name(item, item._deleted_flag)} IS NULL)"
    rows = select(task, f'SELECT {", ".join(column_name(item, n) for n in names)} '
                       f'FROM "{item.table_name}" WHERE {where}')
    if len(rows) != 1:
        return None
    rec_id, name, owner, status, upload_id = rows[0]
    return ProcessState(id=rec_id, name=name, owner=owner, status=_status(status),
                        upload_id=upload_id or None, link=None, message=None,
                        uploaded_at=None, published_at=None)


def busy_processes(task: Any) -> list[ProcessState]:
    """Processes whose status says a job owns them (queued, uploading, processing)."""
    return [_state(r) for r in rows_with(processes_item(task), "nomad_status", BUSY)]


def _update_sql(task: Any, item: Any, rec_id: int, values: dict[str, Any],
                where: str = "") -> tuple[str, list]:
    literal = partial(value_literal, task)
    sets, params = [], []
    for index, (name, value) in enumerate(values.items(), 1):
        sets.append(f'"{item.field_by_name(name).db_field_name}"={literal(index)}')
        params.append(str(value) if isinstance(value, NomadStatus) else value)
    sql = (f'UPDATE "{item.table_name}" SET {", ".join(sets)} '
           f'WHERE "{item._primary_key_db_field_name}"={int(rec_id)}{where}')
    return sql, params


def _claim_sql(task: Any, process_id: int, status: NomadStatus, message: str,
               allowed_from: tuple[NomadStatus, ...] | None) -> tuple[str, list]:
    item = processes_item(task)
    column = column_name(item, "nomad_status")
    if allowed_from is None:
        busy = ", ".join(f"'{s}'" for s in BUSY)
        where = f" AND ({column} IS NULL OR {column} NOT IN ({busy}))"
    else:
        where = " AND {} IN ({})".format(column, ", ".join(f"'{s}'" for s in allowed_from))
    return _update_sql(task, item, process_id,
                       {"nomad_status": status, "nomad_message": message}, where)


def claim(task: Any, process_id: int, status: NomadStatus, message: str,
          allowed_from: tuple[NomadStatus, ...] | None = None,
          job: dict | None = None) -> bool | int | None:
    """Atomically move a process to `status` unless a job owns it (or, with
    `allowed_from`, unless its status is one of those). Without `job`: True/False. With
    `job` (the arguments of `create_job` after the process id): the job row is inserted in
    the same transaction and its id returned, or None when refused."""
    if job is not None and task.db_type == POSTGRESQL:
        values = {**_job_values(**job), **_deleted_flag(task.nomad_jobs)}
        return claim_with_row(task, _claim_sql(task, process_id, status, message, allowed_from),
                              processes_item(task), task.nomad_jobs, "process",
                              {k: _plain(v) for k, v in values.items()})
    with transaction(task, urgent=True) as con:
        cursor = con.cursor()
        cursor.execute(*_claim_sql(task, process_id, status, message, allowed_from))
        claimed = cursor.rowcount == 1
        job_id = None
        if claimed and job is not None:
            job_id = create_job(task, process_id, connection=con, **job)
    if job is None:
        return claimed
    return job_id if claimed else None


class LeaseLost(RuntimeError):
    """The job row is no longer held by this worker (another took it over): nothing of
    the change was written."""


def write_back(task: Any, process_id: int, *, process: dict | None = None,
               steps: dict[int, dict] | None = None, job: tuple[int, dict] | None = None,
               log: dict | None = None, holder: str | None = None) -> None:
    """Write one change in one transaction: process fields, step fields, the job row and
    a new upload log row (any of them may be left out). With `holder`, the job row is
    written only while that worker holds its lease; otherwise nothing is written and
    LeaseLost is raised."""
    with transaction(task) as con:
        cursor = con.cursor()
        if job:
            sql, params = _update_sql(task, task.nomad_jobs, job[0], job[1])
            if holder is not None:
                sql += (f" AND {column_name(task.nomad_jobs, 'worker')}="
                        f"{value_literal(task, len(params) + 1)}")
                params.append(holder)
            cursor.execute(sql, params)
            if holder is not None and cursor.rowcount != 1:
                raise LeaseLost(f"job {job[0]} is no longer held by {holder}")
        if process:
            cursor.execute(*_update_sql(task, processes_item(task), process_id, process))
        for step_id, values in (steps or {}).items():
            cursor.execute(*_update_sql(task, steps_item(task), step_id, values))
        if log:
            insert_log(task, process_id, log, con)


def release_if_stuck(task: Any, process_id: int, status: NomadStatus, message: str,
                     log: dict, active: Sequence[str]) -> bool:
    """Move a busy process without any job in `active` states to `status` (one
    conditional UPDATE, so a job that starts or ends meanwhile is never overruled) and
    add the log row in the same transaction; True when it was stuck."""
    item, jobs = processes_item(task), task.nomad_jobs
    column = column_name(item, "nomad_status")
    busy = ", ".join(f"'{s}'" for s in BUSY)
    states = ", ".join(f"'{s}'" for s in active)
    where = (f" AND {column} IN ({busy}) AND NOT EXISTS (SELECT 1 FROM "
             f'"{jobs.table_name}" WHERE {column_name(jobs, "process")}={int(process_id)} '
             f'AND {column_name(jobs, "state")} IN ({states}))')
    sql, params = _update_sql(task, item, process_id,
                              {"nomad_status": status, "nomad_message": message}, where)
    with transaction(task) as con:
        cursor = con.cursor()
        cursor.execute(sql, params)
        if cursor.rowcount != 1:
            return False
        insert_log(task, process_id, log, con)
    return True


def insert_log(task: Any, process_id: int | None, log: dict, connection: Any) -> None:
    """Insert one upload log row through `connection` (committed with its transaction)."""
    rows = task.upload_log.copy()
    rows.open(open_empty=True)
    rows.append()
    rows.process.value = process_id
    rows.time.value = now()
    for name in ("user_login", "action", "upload_id", "zip_sha256", "outcome", "message"):
        rows.field_by_name(name).value = log.get(name)
    rows.files.value = json.dumps(log.get("files") or [])
    rows.errors.value = json.dumps(log.get("errors") or [])
    rows.post()
    rows.apply(connection=connection)


def append_log(task: Any, process_id: int | None, **log: Any) -> None:
    """Append one upload log row on its own."""
    write_back(task, process_id, log=log)


def last_log(task: Any, process_id: int, jobs_only: bool = False) -> dict | None:
    """The newest upload log row of a process (errors decoded), or None. `jobs_only`: the
    newest row a job wrote (no refusals, exports or owner changes)."""
    if not jobs_only:
        return _newest_log(task, process=process_id)
    # one bounded read per action (no text `__in`: jam.py 7 writes its values unquoted)
    rows = [_newest_log(task, process=process_id, action=action, outcome__ne="refused")
            for action in ("upload", "publish")]
    return max((row for row in rows if row), key=lambda row: row["id"], default=None)


def _newest_log(task: Any, **where: Any) -> dict | None:
    rows = task.upload_log.copy(handlers=False)
    rows.set_where(**where)
    rows.set_order_by(["-id"])
    rows.open(limit=1)
    for row in rows:
        return _log_row(row)
    return None


def _log_row(rows: Any) -> dict:
    return {"id": rows.id.value, "action": rows.action.value, "outcome": rows.outcome.value,
            "user_login": rows.user_login.value, "upload_id": rows.upload_id.value,
            "files": json.loads(rows.files.value or "[]"),
            "errors": json.loads(rows.errors.value or "[]")}


def log_rows(task: Any, process_id: int) -> list[dict]:
    """Every upload log row of a process, oldest first."""
    rows = task.upload_log.copy(handlers=False)
    rows.set_where(process=process_id)
    rows.set_order_by(["id"])
    rows.open()
    return [{"id": r.id.value, "action": r.action.value, "outcome": r.outcome.value,
             "user_login": r.user_login.value, "upload_id": r.upload_id.value,
             "zip_sha256": r.zip_sha256.value, "message": r.message.value,
             "files": json.loads(r.files.value or "[]"),
             "errors": json.loads(r.errors.value or "[]")} for r in rows]


# -- jobs ---------------------------------------------------------------------------
def _insert(task: Any, item: Any, values: dict[str, Any], cursor: Any) -> int:
    """INSERT one row of `item` with `values` (field name -> value) through `cursor`, the
    way jam.py does (its id sequence where the database has one); return the new id."""
    values = {**values, **_deleted_flag(item)}
    rec_id = None
    sequence = next_id_sql(task, item)
    if sequence:
        cursor.execute(sequence)
        rec_id = cursor.fetchone()[0]
        values[item._primary_key] = rec_id
    marks = ", ".join(value_literal(task, i) for i in range(1, len(values) + 1))
    sql, returns_id = insert_sql(task, item, ", ".join(column_name(item, n) for n in values), marks)
    cursor.execute(sql, [_plain(v) for v in values.values()])
    if returns_id:
        rec_id = cursor.fetchone()[0]
    return int(rec_id) if rec_id is not None else last_row_id(cursor)


def _deleted_flag(item: Any) -> dict[str, int]:
    return {item._deleted_flag: 0} if item._deleted_flag else {}


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, NomadStatus) else value


def _job_values(action: str, user_login: str, worker: str, payload: dict,
                upload_id: str | None = None, embargo_months: int = 0,
                heartbeat: float | None = None) -> dict[str, Any]:
    return {"action": action, "state": "queued", "user_login": user_login,
            "created": now(), "worker": worker, "heartbeat": heartbeat,
            "upload_id": upload_id, "embargo_months": embargo_months,
            "payload": json.dumps(payload)}


def create_job(task: Any, process_id: int, action: str, user_login: str, worker: str,
               payload: dict, upload_id: str | None = None, embargo_months: int = 0,
               connection: Any = None, heartbeat: float | None = None) -> int:
    """Insert a queued job row (in `connection`'s transaction when given); return its id.
    `worker` is who holds it (a queue ticket for a job waiting in the queue)."""
    values = {"process": process_id, **_job_values(action, user_login, worker, payload,
                                                   upload_id, embargo_months, heartbeat)}
    if connection is not None:
        return _insert(task, task.nomad_jobs, values, connection.cursor())
    with transaction(task) as con:
        return _insert(task, task.nomad_jobs, values, con.cursor())


def _job_dict(rows: Any) -> dict:
    return {"id": rows.id.value, "process": rows.process.value, "action": rows.action.value,
            "state": rows.state.value, "created": rows.created.value,
            "started": rows.started.value, "user_login": rows.user_login.value,
            "worker": rows.worker.value, "heartbeat": rows.heartbeat.value,
            "upload_id": rows.upload_id.value, "embargo_months": rows.embargo_months.value,
            "payload": json.loads(rows.payload.value or "{}")}


def job_row(task: Any, job_id: int) -> dict | None:
    """One job row (payload decoded), or None."""
    rows = task.nomad_jobs.copy(handlers=False)
    rows.set_where(id=job_id)
    rows.open()
    return _job_dict(rows) if rows.record_count() == 1 else None


def jobs_in(task: Any, states: Sequence[str]) -> list[dict]:
    """Every job row whose state is one of `states`, oldest first."""
    found = [_job_dict(r) for r in rows_with(task.nomad_jobs, "state", states)]
    return sorted(found, key=lambda job: job["id"])


def latest_job(task: Any, process_id: int, before: int | None = None) -> dict | None:
    """The newest job of a process (with `before`: the newest older than that job id),
    payload decoded, or None."""
    rows = task.nomad_jobs.copy(handlers=False)
    if before is None:
        rows.set_where(process=process_id)
    else:
        rows.set_where(process=process_id, id__lt=before)
    rows.set_order_by(["-id"])
    rows.open(limit=1)
    if rows.record_count() == 0:
        return None
    return _job_dict(rows)
