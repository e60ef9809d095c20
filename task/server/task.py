"""CAMS task server module: login, the NOMAD job queue opened at start."""

from jam.admin.admin import login_user


def on_login(task, form_data, info):
    """jam.py's own login (safe mode), with the user's login name kept in the session."""
    login = (form_data.get("login") or "").strip()
    user_info = login_user(task.app.admin, login, form_data.get("password") or "", False,
                           info.get("ip"), info.get("session_uuid"))
    if user_info:
        user_info["login"] = login
        return user_info


def on_created(task):
    """On server start: open the NOMAD job queue now (the jobs run in `cams-nomad worker`
    processes), so the first press is as quick as the rest."""
    from cams_module.lims import queue

    queue.warm_up(task.work_dir)


def on_apply(item, delta, params, connection):
    """Enforce the roles' create/edit/delete rights on the server (jam.py checks them only
    in the browser)."""
    if not getattr(delta, "client_changes", False):
        return None
    for row in delta:
        if row.rec_inserted() and not item.can_create():
            raise Exception(f"You may not add records to {item.item_caption}.")
        if row.rec_modified() and not item.can_edit():
            raise Exception(f"You may not change records of {item.item_caption}.")
        if row.rec_deleted() and not item.can_delete():
            raise Exception(f"You may not delete records of {item.item_caption}.")
    return None
