"""Drive jam.py's Application Builder: its server functions replayed on a fresh project
(task and database, roles and users, items with their fields, details, privileges and the
items' modules), so the result opens normally in the Builder.

Imported by task/build.py only, in a process of its own (jam.py keeps global state).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jam
import jam.wsgi  # puts jam's vendored Werkzeug first on sys.path
import jam_versions
import step_items
from jam.admin import builder as jam_builder
from jam.common import consts

TASK_DIR = Path(__file__).resolve().parent
TYPE_IDS = {"text": 1, "integer": 2, "float": 3, "date": 5, "datetime": 6, "boolean": 7,
            "longtext": 8}
DB_TYPES = {"sqlite": 1, "postgres": 3}


@dataclass
class DbOptions:
    """Where the task database lives (sqlite by default, in the build folder)."""

    db_type: str = "sqlite"
    host: str = ""
    port: str = ""
    database: str = ""
    user: str = ""
    password: str = field(default="", repr=False)

class Builder:
    """Replays the Application Builder's server functions on a fresh project."""

    def __init__(self, out: Path):
        self.consts = consts
        self.jb = jam_builder
        self.jam_version = jam.version()
        self.app = jam.wsgi.create_application(str(out), testing=True)
        self.adm = self.app.admin
        self.item_ids: dict[str, int] = {}
        self.field_ids: dict[tuple[str, str], int] = {}

    # -- task and database -------------------------------------------------------
    def create_task(self, spec: dict, db: DbOptions) -> None:
        """Language, task name, database settings, safe mode; then jam creates the task."""
        adm = self.adm
        adm.server_set_project_langage(adm, spec.get("language", 1))
        adm.server_set_task_name(adm, spec["caption"], spec["name"])
        tasks = adm.sys_tasks.copy()
        tasks.open()
        tasks.edit()
        tasks.f_name.value = spec["caption"]
        tasks.f_item_name.value = spec["name"]
        tasks.f_db_type.value = DB_TYPES[db.db_type]
        if db.db_type == "sqlite":
            tasks.f_alias.value = db.database or f"{spec['name']}.sqlite"
        else:
            tasks.f_alias.value = db.database
            tasks.f_host.value = db.host
            tasks.f_port.value = str(db.port or "")
            tasks.f_login.value = db.user
            tasks.f_password.value = db.password
        tasks.post()
        tasks.apply()
        params = adm.sys_params.copy()
        params.open()
        params.edit()
        params.f_safe_mode.value = True
        params.f_debugging.value = False
        params.post()
        params.apply()
        self.consts.read_settings()
        adm.server_create_task(adm)
        rows = adm.sys_items.copy(handlers=False)
        rows.open()
        for row in rows:
            self.item_ids[row.f_item_name.value] = row.id.value
        self.task_name = spec["name"]

    def create_roles_and_users(self, roles: list[dict], users: list[dict],
                               passwords: dict[str, str]) -> None:
        """jam.py's own roles and users (login with safe mode on)."""
        adm = self.adm
        role_rows = adm.sys_roles.copy(handlers=False)
        role_rows.open()
        self.role_ids = {r.f_name.value: r.id.value for r in role_rows}
        for role in roles:
            if role["name"] not in self.role_ids:
                role_rows.append()
                role_rows.f_name.value = role["name"]
                role_rows.post()
                role_rows.apply()
                self.role_ids[role["name"]] = role_rows.id.value
        user_rows = adm.sys_users.copy(handlers=False)
        user_rows.open()
        while not user_rows.eof():  # drop jam's stock admin/111 account
            user_rows.delete()
        user_rows.apply()
        for user in users:
            user_rows.append()
            user_rows.f_name.value = user["name"]
            user_rows.f_login.value = user["login"]
            user_rows.f_password.value = passwords[user["login"]]
            user_rows.f_role.value = self.role_ids[user["role"]]
            user_rows.f_admin.value = bool(user.get("admin"))
            user_rows.post()
        user_rows.apply()

    # -- items -------------------------------------------------------------------
    def add_item(self, spec: dict) -> int:
        """Append one item (or a detail table) with its fields, as the Builder does."""
        adm, consts = self.adm, self.consts
        group_id = self.item_ids[spec["group"]]
        group = adm.sys_items.copy(handlers=False)
        group.set_where(id=group_id)
        group.open()
        is_table = group.type_id.value == consts.TABLES_TYPE
        items = adm.sys_items.copy()
        items.open(open_empty=True)
        items.append()
        items.parent.value = group_id
        items.task_id.value = self.item_ids[self.task_name]
        items.type_id.value = consts.TABLE_TYPE if is_table else consts.ITEM_TYPE
        items.table_id.value = 0
        items.f_name.value = spec["caption"]
        items.f_item_name.value = spec["name"]
        table_name, gen_name = adm.get_new_table_name(adm, spec["name"])
        items.f_table_name.value = table_name
        if gen_name:
            items.f_gen_name.value = gen_name
        items.f_visible.value = True
        items.f_soft_delete.value = True
        items.sys_fields.open()
        jam_versions.add_common_fields(adm, group, items)
        for f in spec["fields"]:
            data_type = TYPE_IDS[f["type"]]
            items.sys_fields.append()
            field_id = adm.get_fields_next_id(adm)
            items.sys_fields.id.value = field_id
            items.sys_fields.task_id.value = items.task_id.value
            items.sys_fields.f_name.value = f["caption"]
            items.sys_fields.f_field_name.value = f["name"]
            items.sys_fields.f_db_field_name.value = adm.server_set_literal_case(adm, f["name"])
            items.sys_fields.f_data_type.value = data_type
            if data_type == consts.TEXT:
                items.sys_fields.f_size.value = f.get("size", 100)
            items.sys_fields.f_required.value = bool(f.get("required"))
            items.sys_fields.f_read_only.value = bool(f.get("read_only"))
            # a lookup (e.g. the step type) shows a name: left-aligned, as the Builder does
            items.sys_fields.f_alignment.value = self.jb.get_alignment(
                data_type, item=f.get("lookup"))
            if f.get("lookup"):
                items.sys_fields.f_object.value = self.item_ids[f["lookup"]]
                items.sys_fields.f_object_field.value = \
                    self.field_ids[(f["lookup"], f["lookup_field"])]
            items.sys_fields.post()
            self.field_ids[(spec["name"], f["name"])] = field_id
        items.post()
        items.on_apply = self.jb.items_apply_changes  # copy() drops the Builder's handler
        items.apply(params={"manual_update": False})
        self.item_ids[spec["name"]] = items.id.value
        return items.id.value

    def link_details(self, master: str, details: list[str],
                     shown: list[str] | None = None) -> None:
        """Make `details` detail items of `master` (the Builder's "Details" dialog); its
        forms show the `shown` ones (all by default)."""
        adm = self.adm
        adm.sys_items.server_update_details(
            adm.sys_items, self.item_ids[master],
            [[self.item_ids[d], False, None] for d in details])  # jam.py 7: master_field
        rows = adm.sys_items.copy(handlers=False)
        rows.set_where(parent=self.item_ids[master])
        rows.open()
        detail_ids = [r.id.value for r in rows
                      if shown is None or r.f_item_name.value in shown]
        master_row = adm.sys_items.copy()
        master_row.set_where(id=self.item_ids[master])
        master_row.open()
        master_row.load_interface()
        view = [[fid, ""] for fid, *_ in master_row._view_list]
        edit = [[fid, ""] for fid, *_ in master_row._edit_list]
        master_row._view_list = {"0": ["", {"view_detail": detail_ids}, [], {}, view, []]}
        master_row._edit_list = {"0": ["", {"edit_details": detail_ids}, [],
                                       [["", [[{}, edit, ""]]]]]}
        master_row.store_interface()

    def restrict(self, item: str, roles: list[str], create=False, edit=False,
                 delete=False, view=True) -> None:
        """Narrow the privileges of `roles` on `item`."""
        priv = self.adm.sys_privileges.copy(handlers=False)
        priv.set_where(item_id=self.item_ids[item])
        priv.open()
        wanted = {self.role_ids[r] for r in roles}
        for p in priv:
            if p.owner_rec_id.value in wanted:
                p.edit()
                p.f_can_view.value = view
                p.f_can_create.value = create
                p.f_can_edit.value = edit
                p.f_can_delete.value = delete
                p.post()
        priv.apply()

    # -- modules -------------------------------------------------------------------
    def save_modules(self) -> list[str]:
        """Store task/server/*.py and task/client/*.js as the items' modules."""
        adm = self.adm
        problems = []
        for path in sorted((TASK_DIR / "server").glob("*.py")):
            item = self.task_name if path.stem == "task" else path.stem
            res = adm.server_save_edit(adm, self.item_ids[item], path.read_text("utf-8"), True)
            if res["error"]:
                problems.append(f"{path.name}: {res['error']}")
        for path in sorted((TASK_DIR / "client").glob("*.js")):
            item = self.task_name if path.stem == "task" else path.stem
            code = path.read_text("utf-8")
            if item == "processes":
                code = step_items.client_code() + \
                    (TASK_DIR / "client" / "parts" / "step_forms.js").read_text("utf-8") + code
            if item == self.task_name:
                if not code.strip():
                    continue
                code = self.default_task_client() + "\n" + code
            res = adm.server_save_edit(adm, self.item_ids[item], code, False)
            if res["error"]:
                problems.append(f"{path.name}: {res['error']}")
        return problems

    def default_task_client(self) -> str:
        """jam.py's default client module of a new task (kept; task.js is appended)."""
        rows = self.adm.sys_items.copy(handlers=False)
        rows.set_where(id=self.item_ids[self.task_name])
        rows.open(fields=["id", "f_web_client_module"])
        return rows.f_web_client_module.value or ""
