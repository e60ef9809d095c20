"""Every CAMS step type exported under ``fabrication-utilities-2.0`` through
``export_process`` with realistic values: the converted numbers are checked exactly at their
nested 2.0 paths, every archive passes the one validator (also against schemas read as JSON
Schema) and the local NOMAD accepts them; the types NOMAD 2.0.0 cannot load lose nothing.
"""

from __future__ import annotations

import json
import math

import pytest

from cams_module.api_collection import NomadClient, NomadConfig
from cams_module.cams2nomad.engine import render
from cams_module.cams2nomad.profile import load_profile
from cams_module.export import export_process, write_zip
from cams_module.schema import SchemaSet
from tests import profile_2_0_cases as cases
from tests.profile_2_0_cases import (
    CASES,
    FALLBACK_TYPES,
    PROCESS,
    PROFILE_NAME,
    SP,
    assert_valid,
    at,
    document,
    step_data,
    walk_values,
)

# the shared module-scoped fixtures
profile = cases.profile
schemas = cases.schemas


# --------------------------------------------------------------- every step type, exported
@pytest.mark.parametrize("step_type", sorted(CASES))
def test_step_type_exports_exact_values_and_validates(step_type, profile, schemas):
    fields, expected = CASES[step_type]
    result = export_process(document(step_type, fields), profile=PROFILE_NAME)
    data = step_data(result)
    assert data["m_def"] == profile.step_types[step_type].m_def
    for path, value in expected.items():
        got = at(data, path)
        assert got == value and type(got) is type(value), (path, got, value)
    assert_valid(result, schemas)
    # nothing lost: every CAMS field is in a quantity or kept in the notes as "field: value"
    rows = result.report.fields
    assert [r["field"] for r in rows] == list(fields)
    notes = data.get("notes", "")
    for row in rows:
        archive = result.archives[row["archive"]]["data"]
        if row["where"] == "notes":
            assert f"\n{row['field']}: {render(row['value'])}" in f"\n{notes}", row
        else:
            assert at(archive, row["path"][len("data."):]) is not None, row
    unmapped = {u.field for u in result.report.unmapped if u.step_id == 101}
    assert unmapped == {r["field"] for r in rows if r["where"] == "notes"}
    # no -1 placeholder, no NaN anywhere
    for value in walk_values(data):
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert value != -1 and math.isfinite(value)


def test_step_section_common_quantities(schemas):
    fields, _ = CASES["RIE PlasmaPro"]
    result = export_process(document("RIE PlasmaPro", fields), profile=PROFILE_NAME)
    data = step_data(result)
    assert data["name"] == "RIE PlasmaPro run"
    assert data["starting_date"] == "2025-03-03T10:00:00+01:00"
    assert data["step_id"] == "101"
    assert data["step_type"] == "RIE PlasmaPro"
    assert data["users"] == [{"name": "m.rossi"}]
    assert data["recipe_name"] == "SiO2-fast"
    assert_valid(result, schemas)


def test_process_section_quantities(schemas):
    result = export_process(document("SOG", CASES["SOG"][0]), profile=PROFILE_NAME)
    data = result.archives[result.process_file]["data"]
    assert data["m_def"] == SP + "fabrication_utilities.FabricationProcess"
    assert data["name"] == "PicoTCDv3"
    assert data["description"] == "Thermal conductivity detector, run 3"
    assert data["author"] == "m.rossi"
    assert data["project"] == "PicoTCD"
    assert data["starting_date"] == "2025-03-02T09:00:00+01:00"
    assert data["ending_date"] == "2025-04-11T18:30:00+02:00"
    assert data["notes"] == "Wafer batch B-2025-07"
    assert data["steps"] == [f"../upload/archive/mainfile/{result.step_files[0][1]}#data"]
    assert_valid(result, schemas)


def test_all_30_step_types_in_one_process_validate(schemas):
    steps = [
        {"id": 200 + i, "position": i + 1, "type": name, "name": f"{name} #{i + 1}",
         "date": "2025-03-03T10:00:00+01:00", "operator": "a.bianchi", "fields": fields}
        for i, (name, (fields, _)) in enumerate(sorted(CASES.items()))
    ]
    result = export_process({"process": dict(PROCESS), "steps": steps}, profile=PROFILE_NAME)
    assert len(result.step_files) == 30
    assert len(result.archives) == 1 + len(result.part_files) > 31
    assert_valid(result, schemas)


# ------------------------------------------------- types NOMAD 2.0.0 cannot load: no loss
@pytest.mark.parametrize("step_type", sorted(FALLBACK_TYPES))
def test_unloadable_type_becomes_loadable_steps_and_loses_nothing(step_type, profile, schemas):
    fields, _ = CASES[step_type]
    result = export_process(document(step_type, fields), profile=PROFILE_NAME)
    assert_valid(result, schemas)
    files = [f for sid, f in result.part_files if sid == 101]
    for name in files:
        assert result.archives[name]["data"]["m_def"] != SP + "steps.transform." + (
            FALLBACK_TYPES[step_type])
    text = json.dumps([result.archives[f] for f in files], ensure_ascii=False)
    for field, value in fields.items():
        row = next(r for r in result.report.fields if r["field"] == field)
        if row["where"] == "notes":
            assert f"{field}: {render(value)}" in step_data(result)["notes"].splitlines()
        assert render(value) in text or row["where"] == "quantity", field


def test_track_exposure_and_temperatures_land_in_their_own_steps():
    fields = dict(CASES["Track"][0], hardbake="No", harbake_time="")
    result = export_process(document("Track", fields), profile=PROFILE_NAME)
    steps = [result.archives[f]["data"] for sid, f in result.part_files]
    exposure = next(d for d in steps if d["name"].startswith("Track run: exposure"))
    assert exposure["duration"] == pytest.approx(8.5 / 60)        # the seed lost 'Expo'
    peb = next(d for d in steps if d["name"].startswith("Track run: post-exposure bake"))
    # temperatures stay temperatures (the seed ran a time conversion on them)
    assert peb["baking_steps"][0] == {"tag": "PEB", "duration": 1.0, "baking_temperature": 110.0}
    soft = next(d for d in steps if d["name"].startswith("Track run: soft bake"))
    assert soft["baking_steps"][0]["baking_temperature"] == 100.0
    # hardbake: No -> no hard bake step; its values stay in the notes, with the reason
    assert not any("hard bake" in d["name"] for d in steps)
    assert "hardbake_temp: 120" in steps[0]["notes"].splitlines()
    reasons = {u.field: u.reason for u in result.report.unmapped}
    assert "hardbake: No" in reasons["hardbake_temp"]
    assert steps[0]["keywords"] == "hard bake: No"      # the switch itself lands in a quantity
    # a temperature recorded for a bake that did not happen: a warning naming the field
    [warning] = result.report.warnings
    assert warning.startswith(
        "process 17 (PicoTCDv3), step 1 (id 101, type 'Track'), field 'hardbake_temp' = 120: "
        "recorded although hardbake is No")


# ------------------------------------------------- schemas answered by a live NOMAD server
def test_profile_loads_and_exports_against_schemas_read_as_json_schema(schemas):
    """When the target NOMAD is reachable its GET /schemas answers replace the snapshot."""
    used = {p.m_def for st in load_profile(PROFILE_NAME).step_types.values() for p in st.parts}
    used.add(SP + "fabrication_utilities.FabricationProcess")
    live = SchemaSet.from_jsonschema("live", {m: schemas.to_jsonschema(m) for m in used})
    profile = load_profile(PROFILE_NAME, schemas=live)
    steps = [
        {"id": i, "position": i, "type": name, "name": name,
         "date": "2025-03-03T10:00:00+01:00", "operator": "m.rossi", "fields": fields}
        for i, (name, (fields, _)) in enumerate(sorted(CASES.items()), start=1)
    ]
    result = export_process({"process": dict(PROCESS), "steps": steps}, profile=profile)
    assert len(result.step_files) == 30
    assert_valid(result, live)


def test_all_30_step_types_are_accepted_by_the_local_nomad_without_warnings(nomad_server,
                                                                            tmp_path):
    """The stand-in processes each entry like NOMAD: a dropped key would be a warning."""
    steps = [
        {"id": i, "position": i, "type": name, "name": name,
         "date": "2025-03-03T10:00:00+01:00", "operator": "m.rossi", "fields": fields}
        for i, (name, (fields, _)) in enumerate(sorted(CASES.items()), start=1)
    ]
    result = export_process({"process": dict(PROCESS), "steps": steps}, profile=PROFILE_NAME)
    write_zip(result, tmp_path / "PicoTCDv3.zip")
    client = NomadClient(NomadConfig(url=nomad_server.url, username=nomad_server.username,
                                     password=nomad_server.password))
    upload = client.upload_file(tmp_path / "PicoTCDv3.zip", upload_name="PicoTCDv3")
    assert sorted(e.mainfile for e in upload.entries) == sorted(result.archives)
    for entry in upload.entries:
        assert (entry.mainfile, entry.errors, entry.warnings) == (entry.mainfile, [], [])
