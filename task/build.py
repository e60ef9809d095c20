"""Build the CAMS jam.py task from the text kept in `task/`.

    python task/build.py [--out var/cams-task] [--force] [--no-demo]
                         [--db-type sqlite|postgres --db-host H --db-port P
                          --db-name NAME --db-user USER]   (password: env CAMS_DB_PASSWORD)

Reads `task/items.json` (items, roles, demo users), the CAMS field catalogue
(`cams_module/cams2nomad/catalogue/cams-fields.json`, turned by `task/step_items.py` into
one jam.py item per step type with its fields as typed columns), `task/server/<item>.py`
(server modules; `task.py` is the task's own), `task/client/<item>.js` (web client
modules; `task.js` is appended to jam.py's default task module) and
`task/demo/processes.json` (demo processes as process documents). It drives jam.py's own
Application Builder functions in this process, so the result opens normally in the
Builder. Demo passwords come from env `CAMS_DEMO_PASSWORD` (one for all) or are
generated; they are written to `<out>/demo-users.json` (mode 0600), never to the
repository.

jam.py keeps global state and changes the working directory: run one build per process.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import step_items

TASK_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = TASK_DIR.parent / "var" / "cams-task"
TYPE_IDS = {"text": 1, "integer": 2, "float": 3, "date": 5, "datetime": 6, "boolean": 7,
            "longtext": 8}
DB_TYPES = {"sqlite": 1, "postgres": 3}
TABLES_GROUP = 8  # jam.py's item type of the "details" group
#: an item's common fields, named on the item by these attributes (jam.py's own names)
COMMON_FIELDS = ("f_primary_key", "f_deleted_flag", "f_master_id", "f_master_rec_id")


@dataclass
class DbOptions:
    """Where the task database lives (sqlite by default, in the build folder)."""

    db_type: str = "sqlite"
    host: str = ""
    port: str = ""
    database: str = ""
    user: str = ""
    password: str = field(default="", repr=False)


def load_definitions() -> dict:
    """The item definitions (task/items.json)."""
    return json.loads((TASK_DIR / "items.json").read_text(encoding="utf-8"))


def demo_passwords(users: list[dict]) -> dict[str, str]:
    """One password per demo login: env CAMS_DEMO_PASSWORD, or freshly generated."""
    shared = os.environ.get("CAMS_DEMO_PASSWORD")
    return {u["login"]: shared or secrets.token_urlsafe(9) for u in users}


def make_project(out: Path, force: bool) -> None:
    """Create an empty jam.py project in `out` with jam.py's own project script."""
    if out.exists():
        if not force:
            raise SystemExit(f"{out} exists; pass --force to rebuild it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    script = Path(sys.executable).parent / "jam-project.py"
    if not script.exists():
        script = Path(shutil.which("jam-project.py") or "jam-project.py")
    subprocess.run([sys.executable, str(script)], cwd=out, check=True)
    restore_details_group(out / "admin.sqlite")


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


class Builder:
    """Replays the Application Builder's server functions on a fresh project."""

    def __init__(self, out: Path):
        import jam.wsgi  # puts jam's vendored Werkzeug first on sys.path
        from jam.admin import builder as jam_builder
        from jam.common import consts

        self.consts = consts
        self.jb = jam_builder
        # jam.py 7 gives every item its own copy of its group's common fields (id,
        # deleted, master_id, master_rec_id); jam.py 5 shares the group's fields.
        self.own_common_fields = jam.__version__ >= (7,)
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
        self.add_common_fields(group, items)
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

    def add_common_fields(self, group, items) -> None:
        """Point the new item at its group's common fields (jam.py 5), or give it its own
        copies of them (jam.py 7, as the Builder's create_common_fields does)."""
        if not self.own_common_fields:
            for name in COMMON_FIELDS:
                items.field_by_name(name).value = group.field_by_name(name).value
            return
        parent = self.adm.sys_fields.copy(handlers=False)
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
            items.sys_fields.id.value = self.adm.get_fields_next_id(self.adm)
            items.sys_fields.task_id.value = items.task_id.value
            items.sys_fields.post()
            items.field_by_name(name).value = items.sys_fields.id.value

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


def jam_privileges(role: str) -> dict[str, dict[str, bool]]:
    """jam.py's privileges of `role` per item, from the rights table (they only shape the
    browser's buttons; the server checks the table itself, see cams_module/lims/guard.py)."""
    from cams_module.lims.rights import RIGHTS, UNKNOWN_ROLE

    rights = RIGHTS.get(role, UNKNOWN_ROLE)
    edit, steps = "edit" in rights, "steps" in rights
    catalogue = "catalogues" in rights
    return {
        "processes": {"create": "create" in rights, "edit": edit or steps,
                      "delete": "delete" in rights},
        "steps": {"create": steps, "edit": edit, "delete": steps},
        "step_types": {"create": catalogue, "edit": catalogue, "delete": catalogue},
        "upload_log": {"view": "read_log" in rights},
        "nomad_jobs": {"view": "read_jobs" in rights},
        "nomad_account": {"view": "nomad_account" in rights or "remove_link" in rights},
    }


def fill_catalogues(task) -> None:
    """The step type catalogue (names and the item holding each type's values)."""
    rows = task.step_types.copy()
    rows.open(open_empty=True)
    for t in step_items.load_catalogue():
        rows.append()
        rows.name.value = t.name
        rows.values_item.value = t.item_name
        rows.post()
    rows.apply()


def load_demo(task) -> int:
    """Write the demo processes (task/demo/processes.json) into CAMS; return their count."""
    from cams_module.lims.writer import write_process_document

    documents = json.loads((TASK_DIR / "demo" / "processes.json").read_text("utf-8"))
    for doc in documents["processes"]:
        write_process_document(task, doc)
    return len(documents["processes"])


def build(out: Path, db: DbOptions | None = None, demo: bool = True,
          force: bool = False) -> dict:
    """Build the task into `out`; return {"out", "users": {login: password}, ...}."""
    out = Path(out).resolve()
    db = db or DbOptions()
    definitions = load_definitions()
    passwords = demo_passwords(definitions["users"])
    make_project(out, force)
    sys.path.insert(0, str(TASK_DIR.parent))
    builder = Builder(out)
    builder.create_task(definitions["task"], db)
    builder.create_roles_and_users(definitions["roles"], definitions["users"], passwords)
    type_items = step_items.item_specs()
    for spec in definitions["items"] + type_items:
        builder.add_item(spec)
    for spec in definitions["items"]:
        if spec.get("details"):
            builder.link_details(spec["name"], spec["details"] + [
                t["name"] for t in type_items], shown=spec["details"])
    for role in definitions["roles"]:
        privileges = jam_privileges(role["name"])
        for item, allowed in privileges.items():
            builder.restrict(item, [role["name"]], **allowed)
        for spec in type_items:  # a step's typed values go with the step
            builder.restrict(spec["name"], [role["name"]], **privileges["steps"])
    problems = builder.save_modules()
    if problems:
        raise SystemExit("module errors:\n" + "\n".join(problems))
    task = builder.app.create_task()
    if task is None:
        raise SystemExit("jam.py could not load the task; see the log above")
    if task.pool is None:
        task.create_pool()
    fill_catalogues(task)
    count = load_demo(task) if demo else 0
    users = {u["login"]: {"password": passwords[u["login"]], "role": u["role"]}
             for u in definitions["users"]}
    info = {"out": str(out), "task": builder.task_name,
            "task_id": builder.item_ids[builder.task_name],
            "items": {spec["name"]: builder.item_ids[spec["name"]]
                      for spec in definitions["items"] + type_items},
            "processes": count, "users": users, "jam": builder.jam_version}
    users_file = out / "demo-users.json"
    users_file.write_text(json.dumps(info, indent=1), encoding="utf-8")
    make_private(out)
    return info


def make_private(out: Path) -> None:
    """jam.py keeps user (and PostgreSQL) passwords in plain text in admin.sqlite: only
    the account that runs CAMS may read the build's databases and the demo users file."""
    out.chmod(0o700)
    for path in [*out.glob("*.sqlite"), out / "demo-users.json"]:
        path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the task and print where it is (never the passwords)."""
    parser = argparse.ArgumentParser(description="Build the CAMS jam.py task from task/.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true", help="replace an existing build")
    parser.add_argument("--no-demo", action="store_true", help="no demo processes")
    parser.add_argument("--db-type", choices=sorted(DB_TYPES), default="sqlite")
    parser.add_argument("--db-host", default="")
    parser.add_argument("--db-port", default="")
    parser.add_argument("--db-name", default="", help="sqlite file or PostgreSQL database")
    parser.add_argument("--db-user", default="")
    args = parser.parse_args(argv)
    db = DbOptions(args.db_type, args.db_host, args.db_port, args.db_name, args.db_user,
                   os.environ.get("CAMS_DB_PASSWORD", ""))
    info = build(args.out, db, demo=not args.no_demo, force=args.force)
    print(f"CAMS task built in {info['out']} ({info['processes']} demo processes); "
          f"demo users and passwords in {info['out']}/demo-users.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
