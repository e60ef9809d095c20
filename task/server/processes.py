"""Processes: thin server functions for NOMAD; the work happens in cams_module. What a save
of the process form may write is checked in the task's on_apply (cams_module.lims.guard)."""

from cams_module import button_upload_fair as fair


def upload_fair(item, process_id):
    """BUTTON_UPLOAD_FAIR: check, validate, export, hand the upload to a worker."""
    return fair.press_upload(item.task, process_id, fair.session_user(item))


def nomad_state(item, process_id):
    """The process's NOMAD status for the progress display (cheap; poll it)."""
    return fair.state(item.task, process_id, fair.session_user(item))


def nomad_lineage(item, process_id):
    """Where the CAMS values of the last upload went (in NOMAD quantities or kept in notes)."""
    return fair.lineage(item.task, process_id, fair.session_user(item))


def publish_fair(item, process_id, embargo_months=0):
    """Publish the processed NOMAD upload (irreversible; roles granted it only)."""
    return fair.press_publish(item.task, process_id, embargo_months, fair.session_user(item))


def export_zip(item, process_id):
    """Build the NOMAD zip without uploading; the reply carries the zip to this session."""
    return fair.export_for_download(item.task, process_id, fair.session_user(item))


def my_rights(item):
    """What the logged-in user may do (the client disables what they may not)."""
    return fair.user_rights(fair.session_user(item))
