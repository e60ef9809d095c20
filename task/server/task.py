"""CAMS task server module: login, the NOMAD job queue opened at start, the rights
table on every request."""

from jam.admin.admin import login_user

from cams_module.lims import export_handover, queue
from cams_module.lims.guard import RightsError, guard_apply
from cams_module.lims.reader import active_layout
from cams_module.lims.rights import session_user, why_not

READ_RIGHTS = {"upload_log": "read_log", "nomad_jobs": "read_jobs"}
#: what jam.py 7's login page loads from the project before anyone is logged in
PUBLIC_PROJECT_FILES = {"css/project.css": "project.css"}


def on_login(task, form_data, info):
    """jam.py's own login (safe mode), with the user's login name kept in the session."""
    login = (form_data.get("login") or "").strip()
    user_info = login_user(task.app.admin, login, form_data.get("password") or "", False,
                           info.get("ip"), info.get("session_uuid"))
    if user_info:
        user_info["login"] = login
        return user_info


def on_request(task, request):
    """jam.py 7 serves the project's /css and /js files to logged-in sessions only (any
    other request gets its Forbidden page), yet its login page links css/project.css: that
    stylesheet (no data in it) is served to anyone, by jam.py's own file server. jam.py 5
    has no such hook and serves it anyway."""
    name = PUBLIC_PROJECT_FILES.get(request.path.strip("/"))
    if name and request.method == "GET":
        return task.app.serve_prog_file(request, request.environ, name)
    return None


def on_created(task):
    """On server start: open the NOMAD job queue and the CAMS database's connections now
    (the jobs run in `cams-nomad worker` processes, which also recover stuck jobs), and
    remove exported zips left behind."""
    queue.warm_up(task.work_dir, task)
    export_handover.sweep_at_start(task)


def on_open(item, params):
    """Reading the upload log and the jobs journal needs its right (rights.py), whatever
    the client asks."""
    right = READ_RIGHTS.get(item.item_name)
    if right and params.get("__client_request"):
        refusal = why_not(session_user(item), right)
        if refusal:
            raise Exception(refusal)
    return None


def on_apply(item, delta, params, connection):
    """Every change a client sends passes the rights table (rights.py) before jam.py writes
    it: the owner is the stored one, NOMAD fields are never written by a client."""
    if not getattr(delta, "client_changes", False):
        return None
    try:
        guard_apply(item, delta, session_user(item), connection)
    except RightsError as refusal:
        raise Exception(str(refusal)) from None
    if item.item_name not in (active_layout().processes, "step_types"):
        for row in delta:
            if row.rec_inserted() and not item.can_create():
                raise Exception(f"You may not add records to {item.item_caption}.")
            if row.rec_modified() and not item.can_edit():
                raise Exception(f"You may not change records of {item.item_caption}.")
            if row.rec_deleted() and not item.can_delete():
                raise Exception(f"You may not delete records of {item.item_caption}.")
    return None
