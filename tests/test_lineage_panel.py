"""The web panel's "where did the values go": kept with the upload job, served per process."""

from __future__ import annotations

from tests.fixtures.cams_task import FIND_PROCESS, WAIT_IDLE, nomad_env, run_in_task

CALL = FIND_PROCESS + """
jam.context.session = {session!r}
result = {{"before": processes.nomad_lineage(processes, pid)}}
processes.upload_fair(processes, pid)
""" + WAIT_IDLE + """
result["status"] = state["status"]
result["after"] = processes.nomad_lineage(processes, pid)
jam.context.session = None
result["anonymous"] = processes.nomad_lineage(processes, pid)
result["not_an_id"] = processes.nomad_lineage(processes, "1 or 1=1")
"""


def test_lineage_of_the_last_upload_is_kept_and_shown_per_process(cams_task_copy, nomad_server,
                                                                task_worker):
    session = {"user_info": {"login": "a.bianchi", "role_name": "Researcher", "user_id": 1,
                             "role_id": 1}}
    body = CALL.format(name="MEMS-Gyro-B2", session=session)
    result = run_in_task(cams_task_copy.path, body, env=nomad_env(nomad_server))
    assert result["before"]["lineage"] is None
    assert "Upload FAIR" in result["before"]["message"]
    assert result["status"] == "processed"
    lineage = result["after"]["lineage"]
    assert (lineage["in_quantities"], lineage["in_notes"]) == (70, 3)
    kept = {(n["step_type"], n["field"]): n["reason"] for n in lineage["notes"]}
    assert "mass flow" in kept[("Annealing", "oxigen_")]
    assert ("Track 2", "hardbake") not in kept     # named in the coating entry's keywords
    assert ("Annealing", "final_temperature") in {
        (t["step_type"], t["field"]) for t in lineage["uncertain"]}
    assert lineage["calculations"]
    assert "fields" not in lineage                 # the rows stay with the job
    assert result["anonymous"]["lineage"] is None
    assert result["not_an_id"]["lineage"] is None
