"""What differs between jam.py 5 and 7 when the task is built: the "details" group of a
new project and the common fields (id, deleted, master_id, master_rec_id) of its items."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import jam

TABLES_GROUP = 8  # jam.py's item type of the "details" group
#: an item's common fields, named on the item by these attributes (jam.py's own names)
COMMON_FIELDS = ("f_primary_key", "f_deleted_flag", "f_master_id", "f_master_rec_id")
#: jam.py 7 gives every item its own copy of its group's common fields (id, deleted,
#: master_id, master_rec_id); jam.py 5 shares the group's fields.
OWN_COMMON_FIELDS = jam.__version__ >= (7,)


def restore_details_group(admin_db: Path) -> None:
    """jam.py 7's new project keeps the "details" group (detail tables linked by
    master_id/master_rec_id) but marks it deleted; the task uses it as jam.py 5 does, so
    it is brought back with its common fields. Nothing changes on jam.py 5."""
    with sqlite3.connect(admin_db) as db:
        rows = db.execute('SELECT "ID" FROM SYS_ITEMS WHERE "TYPE_ID" = ? AND '
                          '"F_ITEM_NAME" = ? AND "DELETED" = 1', (TABLES_GROUP, "details"))
        for (group_id,) in rows.fetchall():
            db.execute('UPDATE SYS_ITEMS SET "DELETED" = 0 WHERE "ID" = ?', (group_id,))
            db.execute('UPDATE SYS_FIELDS SET "DELETED" = 0 WHERE "OWNER_REC_ID" = ?',
                       (group_id,))


def add_common_fields(adm, group, items) -> None:
    """Point the new item at its group's common fields (jam.py 5), or give it its own
    copies of them (jam.py 7, as the Builder's create_common_fields does)."""
    if not OWN_COMMON_FIELDS:
        for name in COMMON_FIELDS:
            items.field_by_name(name).value = group.field_by_name(name).value
        return
    parent = adm.sys_fields.copy(handlers=False)
    parent.set_where(owner_rec_id=group.id.value)
    parent.open()
    for name in COMMON_FIELDS:
        field_id = group.field_by_name(name).value
        if not field_id or not parent.locate("id", field_id):
            continue
        items.sys_fields.append()
        for f in items.sys_fields.fields:
            if f.field_name.startswith("f_"):
                f.data = parent.field_by_name(f.field_name).data
        items.sys_fields.id.value = adm.get_fields_next_id(adm)
        items.sys_fields.task_id.value = items.task_id.value
        items.sys_fields.post()
        items.field_by_name(name).value = items.sys_fields.id.value
