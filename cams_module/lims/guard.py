"""What a save from the web client may write: the rights table applied to jam.py deltas.

`guard_apply` runs in the task's `on_apply` for every change a browser (or any HTTP client)
sends, before jam.py writes it. It refuses, with one sentence, a change the user's role
may not make (`rights.RIGHTS`): editing, inserting or deleting steps of a process judged by
the STORED owner, changing the owner (its own right, logged in the upload log with the
old and new owner), steps that belong to another process, ids that are not ids. The
NOMAD fields of processes and steps are never written by a client: on insert they get
their empty values, on update they are left out of the UPDATE (jam.py 5: the delta's
`update_sql`; jam.py 7: the delta marks them read-only, which its UPDATE skips), so a
worker's write-back that lands while the user saves is never overwritten; values a client
sent for them are dropped and logged.
"""

from __future__ import annotations

import logging
from typing import Any

from cams_module.lims import job_store as store
from cams_module.lims.jam_compat import column_name
from cams_module.lims.reader import active_layout
from cams_module.lims.rights import User, allowed, why_not
from cams_module.status import NomadStatus

log = logging.getLogger("cams_module.lims.guard")
INSERTED, MODIFIED, DELETED, DETAILS_MODIFIED = 1, 2, 3, 4


class RightsError(Exception):
    """A client change the rights table refuses (the message is for the user)."""


def _status(row: Any) -> int | None:
    """The delta row's status (INSERTED, MODIFIED, DELETED, DETAILS_MODIFIED or None):
    jam.py 5 keeps it on the row, jam.py 7 on the row's change log."""
    status = getattr(row, "record_status", None)
    if status is None and getattr(row, "change_log", None) is not None:
        status = row.change_log.record_status
    return status


def _need(user: User | None, action: str, owner: str | None, what: str) -> None:
    refusal = why_not(user, action, owner, what)
    if refusal:
        log.warning("save refused: %s", refusal)
        raise RightsError(refusal + " Nothing was saved.")


def _rec_id(row: Any, what: str) -> int:
    value = row._primary_key_field.value
    if type(value) is not int or value <= 0:
        log.warning("save refused: %r is not a record id of %s", str(value)[:50], what)
        raise RightsError(f"{str(value)[:50]!r} is not a record id of {what}. "
                          "Nothing was saved.")
    return value


def _stored(connection: Any, item: Any, rec_id: int, names: list[str]) -> dict | None:
    """The stored values of `names` of one live record of `item` (None when there is
    none), read through the save's own connection."""
    columns = ", ".join(column_name(item, n) for n in names)
    sql = (f'SELECT {columns} FROM "{item.table_name}" '
           f'WHERE "{item._primary_key_db_field_name}"={int(rec_id)}')
    if item._deleted_flag:
        flag = item._deleted_flag_db_field_name
        sql += f' AND ("{flag}"=0 OR "{flag}" IS NULL)'
    cursor = connection.cursor()
    cursor.execute(sql)
    found = cursor.fetchone()
    return dict(zip(names, found, strict=True)) if found else None


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _drop_sent(row: Any, fields: tuple[str, ...], stored: dict | None, where: str,
               user: User | None) -> None:
    """Log the NOMAD field values a client sent that differ from what is stored (on
    insert: from empty); replace them with the stored values (on insert: empty ones)."""
    planted = []
    for name in fields:
        field = row.field_by_name(name)
        if field is None:
            continue
        before = stored.get(name) if stored else None
        if not name.endswith("_at") and _plain(field.data) != _plain(before) and \
                not (stored is None and name == "nomad_status"
                     and _plain(field.data) == str(NomadStatus.NOT_UPLOADED)):
            planted.append(name)
        if stored is None:
            field.data = str(NomadStatus.NOT_UPLOADED) if name == "nomad_status" else None
        else:  # the stored value (left out of the UPDATE anyway)
            field.data = before
    if planted:
        log.warning("%s: values sent by %s for %s dropped (NOMAD fields are written only "
                    "by the NOMAD worker)", where, user.login if user else "anonymous",
                    ", ".join(planted))


def _write_only_users_fields(dataset: Any, skip: set[str]) -> None:
    """Make jam.py's UPDATE of `dataset`'s modified rows leave out the fields in `skip`:
    jam.py 5 asks the delta for its `update_sql`; jam.py 7 writes every field whose
    `restrictions` (asked of the delta's `field_def_restrictions`) are not read-only."""
    skip_defs = {id(f.field_def) for f in dataset.fields
                 if f.field_name in skip and getattr(f, "field_def", None) is not None}
    own_restrictions = getattr(dataset, "field_def_restrictions", None)

    def field_def_restrictions(field_def: Any, role_id: Any) -> tuple[bool, bool]:
        prohibited, read_only = own_restrictions(field_def, role_id)
        return prohibited, read_only or id(field_def) in skip_defs

    if own_restrictions is not None:
        dataset.field_def_restrictions = field_def_restrictions

    def update_sql(db_module: Any) -> tuple[str, list]:
        pk = dataset._primary_key_field
        sets, params = [], []
        for field in dataset.fields:
            if field.master_field or field == pk or field.field_name in skip:
                continue
            sets.append(f'"{field.db_field_name}"={db_module.value_literal(len(sets) + 1)}')
            data = 0 if field.field_name == dataset._deleted_flag else field.data
            params.append((data, field.data_type))
        if not sets:  # nothing the user may write: a harmless no-op statement
            sets.append(f'"{pk.db_field_name}"="{pk.db_field_name}"')
        return (f'UPDATE "{dataset.table_name}" SET {", ".join(sets)} '
                f'WHERE "{dataset._primary_key_db_field_name}" = {int(pk.value)}', params)

    dataset.update_sql = update_sql


def _guard_steps(task: Any, steps: Any, process_id: int | None, owner: str | None,
                 name: str, user: User | None, connection: Any) -> None:
    what = f"process '{name}'"
    item = store.steps_item(task)
    master_rec = item._master_rec_id
    for step in steps:
        status = _status(step)
        if status == INSERTED:
            _need(user, "steps", owner, what)
            _drop_sent(step, store.STEP_NOMAD_FIELDS, None, f"new step of {what}", user)
            continue
        step_id = _rec_id(step, what)
        names = [master_rec, *(f for f in store.STEP_NOMAD_FIELDS
                               if step.field_by_name(f) is not None)]
        stored = _stored(connection, item, step_id, names)
        if stored is None or process_id is None or stored[master_rec] != process_id:
            log.warning("save refused: step %s is not a step of %s", step_id, what)
            raise RightsError(f"Step {step_id} is not a step of {what}. Nothing was saved.")
        _need(user, "steps" if status == DELETED else "edit", owner, what)
        if status == MODIFIED:
            _drop_sent(step, store.STEP_NOMAD_FIELDS, stored, f"step {step_id} of {what}",
                       user)
    _write_only_users_fields(steps, {*store.STEP_NOMAD_FIELDS, item._master_id, master_rec})


def _guard_type_values(task: Any, delta: Any, process_id: int | None, owner: str | None,
                       name: str, user: User | None, connection: Any) -> None:
    """A step's typed values (the items of `CamsLayout.step_type_items`) are judged as its
    step: adding or removing them needs the right to change steps, changing them the right
    to edit, and a row must belong to this process."""
    what = f"process '{name}'"
    for item_name in sorted(set((active_layout().step_type_items or {}).values())):
        values = delta.detail_by_name(item_name)
        if values is None:
            continue
        item = task.item_by_name(item_name)
        for row in values:
            status = _status(row)
            if status == INSERTED:
                _need(user, "steps", owner, what)
                continue
            if status not in (MODIFIED, DELETED):
                continue
            rec_id = _rec_id(row, what)
            stored = _stored(connection, item, rec_id, [item._master_rec_id])
            if stored is None or process_id is None or \
                    stored[item._master_rec_id] != process_id:
                log.warning("save refused: %s row %s is not of %s", item_name, rec_id, what)
                raise RightsError(f"Step values {rec_id} are not values of a step of {what}. "
                                  "Nothing was saved.")
            _need(user, "steps" if status == DELETED else "edit", owner, what)


def _owner_change(task: Any, process_id: int, old: str | None, new: str | None,
                  user: User | None, connection: Any) -> None:
    message = (f"Owner of the process changed from {old or 'none'} to {new or 'none'} "
               f"by {user.login if user else 'anonymous'}.")
    log.warning("process %s: %s", process_id, message)
    store.insert_log(task, process_id, {"user_login": user.login if user else "",
                                        "action": "owner", "outcome": "changed",
                                        "message": message}, connection)


def _guard_processes(task: Any, delta: Any, user: User | None, connection: Any) -> None:
    fields = active_layout().process_fields
    owner_name, name_name = fields["owner"], fields["name"]
    item = store.processes_item(task)
    steps = delta.detail_by_name(active_layout().steps)
    for row in delta:
        status = _status(row)
        owner_field = row.field_by_name(owner_name)
        name_field = row.field_by_name(name_name)
        name = _plain(name_field.value if name_field else "")[:200]
        what = f"process '{name}'"
        if status == INSERTED:
            _need(user, "create", user.login if user else None, "processes")
            if owner_field is None:
                raise RightsError(f"A new process must name its owner ({owner_name}). "
                                  "Nothing was saved.")
            if not owner_field.data or not allowed(user, "change_owner"):
                if owner_field.data and owner_field.data != user.login:
                    log.warning("new %s: owner %r sent by %s dropped (the creator owns it)",
                                what, str(owner_field.data)[:60], user.login)
                owner_field.data = user.login
            owner, process_id = owner_field.data, None
            _drop_sent(row, store.PROCESS_NOMAD_FIELDS, None, f"new {what}", user)
        else:
            process_id = _rec_id(row, "processes")
            present = [f for f in store.PROCESS_NOMAD_FIELDS
                       if row.field_by_name(f) is not None]
            stored = _stored(connection, item, process_id, [owner_name, name_name, *present])
            if stored is None:
                raise RightsError(f"There is no process with id {process_id} in CAMS. "
                                  "Nothing was saved.")
            owner, what = stored[owner_name], f"process '{stored[name_name]}'"
            if status == DELETED:
                _need(user, "delete", owner, what)
                continue
            if status == MODIFIED:
                _need(user, "edit", owner, what)
                new_owner = owner_field.data if owner_field else owner
                if _plain(new_owner) != _plain(owner):
                    _need(user, "change_owner", owner, what)
                    _owner_change(task, process_id, owner, new_owner, user, connection)
                _drop_sent(row, store.PROCESS_NOMAD_FIELDS, stored,
                           f"process {process_id}", user)
        if steps is not None:
            _guard_steps(task, steps, process_id, owner, name, user, connection)
        _guard_type_values(task, delta, process_id, owner, name, user, connection)
    _write_only_users_fields(delta, set(store.PROCESS_NOMAD_FIELDS))


def guard_apply(item: Any, delta: Any, user: User | None, connection: Any) -> None:
    """Refuse (RightsError) or narrow a client's change of `item` per the rights table."""
    task, layout = item.task, active_layout()
    name = item.item_name
    if name == layout.processes:
        _guard_processes(task, delta, user, connection)
    elif name == layout.steps:
        raise RightsError("Steps are saved with their process (open the process and press "
                          "OK). Nothing was saved.")
    elif name in ("upload_log", "nomad_jobs"):
        raise RightsError(f"You may not change records of {item.item_caption}: CAMS writes "
                          "them itself. Nothing was saved.")
    elif name == "step_types":
        _need(user, "catalogues", None, "")
