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
Application Builder functions in this process (`task/app_builder.py`; what differs between
jam.py 5 and 7 is in `task/jam_versions.py`), so the result opens normally in the
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
import subprocess
import sys
from pathlib import Path

import step_items
from app_builder import DB_TYPES, TASK_DIR, Builder, DbOptions
from jam_versions import restore_details_group

from cams_module.lims.rights import RIGHTS, UNKNOWN_ROLE
from cams_module.lims.writer import write_process_document

DEFAULT_OUT = TASK_DIR.parent / "var" / "cams-task"


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


def jam_privileges(role: str) -> dict[str, dict[str, bool]]:
    """jam.py's privileges of `role` per item, from the rights table (they only shape the
    browser's buttons; the server checks the table itself, see cams_module/lims/guard.py)."""
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
