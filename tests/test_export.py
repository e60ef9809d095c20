"""export_process and write_zip: archives for every profile pass the one validator, bad input
is reported completely and precisely, nothing is lost, output is deterministic and safe."""

import copy
import dataclasses
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from cams_module.cams2nomad.profile import list_profiles, load_profile
from cams_module.export import (
    ExportError,
    InputProblem,
    archive_bytes,
    export_process,
    step_reference,
    write_zip,
)
from cams_module.schema import validate_archive

DOCS = Path(__file__).parent / "data" / "process_documents"
GOOD = ("picotcdv3", "mems_gyro_b2", "sin_waveguide_07")
OLD = "fabrication-utilities-2025.04"


def load(name):
    return json.loads((DOCS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("profile", list_profiles())
@pytest.mark.parametrize("name", GOOD)
def test_every_profile_exports_valid_archives(profile, name):
    result = export_process(load(name), profile=profile)
    prof = load_profile(profile)
    mainfiles = set(result.archives)
    for mainfile, archive in result.archives.items():
        assert validate_archive(
            archive, prof.schemas, mainfile=mainfile, upload_mainfiles=mainfiles
        ) == []


def test_all_30_step_types_are_in_the_test_documents():
    types = {s["type"] for n in GOOD for s in load(n)["steps"]}
    for profile in list_profiles():
        assert types == set(load_profile(profile).step_types)


def test_process_entry_references_steps_in_position_order():
    document = load("picotcdv3")
    document["steps"].reverse()
    result = export_process(document, profile=OLD)
    process = result.archives[result.process_file]["data"]
    assert result.process_file == "process_17_picotcdv3.archive.json"
    assert [p for p, _ in result.step_files] == list(range(101, 111))
    assert process["steps"] == [step_reference(f) for _, f in result.step_files]
    assert process["steps"][5] == "../upload/archive/mainfile/06_trench-etch.archive.json#data"
    assert process["name"] == "PicoTCDv3"
    assert process["author"] == "m.rossi"
    assert process["project"] == "Gas sensing"
    assert process["starting_date"] == "2025-03-02T09:00:00+01:00"
    assert "ending_date" not in process  # null in CAMS: not written
    assert list(result.archives)[0] == result.process_file
    assert result.report.files == 11


def test_step_level_values_go_to_the_steps_own_quantities():
    result = export_process(load("picotcdv3"), profile=OLD)
    data = result.archives["06_trench-etch.archive.json"]["data"]
    assert data["name"] == "Trench etch"
    assert data["starting_date"] == "2025-03-08T15:30:00+01:00"
    assert data["operator"] == "m.rossi"
    assert data["step_type"] == "RIE PlasmaPro"
    assert data["recipe_name"] == "SiO2-fast"


def test_unmapped_fields_land_in_notes_and_report():
    document = load("picotcdv3")
    document["process"]["customer"] = "ACME"
    result = export_process(document, profile=OLD)
    step = result.archives["06_trench-etch.archive.json"]["data"]
    assert step["notes"] == (
        "CAMS fields without a NOMAD quantity:\nchamber_comment: slight polymer at edges"
    )
    process = result.archives[result.process_file]["data"]
    assert process["notes"] == (
        "Wafers PT3-01..25; run for the March review.\n\n"
        "CAMS fields without a NOMAD quantity:\ncustomer: ACME"
    )
    unmapped = {(u.step_position, u.field, u.value, u.file) for u in result.report.unmapped}
    assert unmapped == {
        (6, "chamber_comment", "slight polymer at edges", "06_trench-etch.archive.json"),
        (None, "customer", "ACME", result.process_file),
    }
    assert "endpoint" not in step["notes"]  # blank: nothing to keep
    assert any("chamber_comment" in line for line in result.report.summary_lines())
    json.dumps(result.report.to_dict())


def test_unknown_fields_of_any_type_are_kept_readably():
    document = load("sin_waveguide_07")
    document["steps"][0]["fields"].update({"flag": True, "layers": [1, 2], "x": 2.5})
    data = export_process(document, profile=OLD).archives["01_wet-etching.archive.json"]["data"]
    assert data["notes"].splitlines()[1:] == ["flag: Yes", "layers: [1, 2]", "x: 2.5"]


def test_warnings_for_no_steps_and_undated_steps():
    empty = export_process({"process": {"id": 3, "name": "x"}, "steps": []}, profile=OLD)
    assert list(empty.archives) == ["process_3_x.archive.json"]
    assert empty.report.warnings == ["process 3 has no steps: only the process entry is exported"]
    document = load("mems_gyro_b2")
    document["steps"][1]["date"] = None
    report = export_process(document, profile=OLD).report
    assert report.warnings == ["step 2 (id 202, type 'LPCVD deposition') has no date"]
    assert "warning: step 2 (id 202, type 'LPCVD deposition') has no date" in \
        report.summary_lines()


def test_uncertain_targets_are_reported():
    profile = "fabrication-utilities-2.0"
    if profile not in list_profiles():
        pytest.skip("2.0 profile not shipped")
    uncertain = {e.target for st in load_profile(profile).step_types.values()
                 for e in (*st.entries, st.not_done_in) if e is not None and e.uncertain}
    result = export_process(load("mems_gyro_b2"), profile=profile)
    reported = {t.target for t in result.report.uncertain}
    assert reported and reported <= uncertain
    assert all(t.count >= 1 for t in result.report.uncertain)


# ----------------------------------------------------------------------- bad input
def problems_of(document, profile=OLD):
    with pytest.raises(ExportError) as err:
        export_process(document, profile=profile)
    return err.value


def test_every_problem_of_the_process_is_reported_together():
    err = problems_of(load("faulty_values"))
    assert len(err.problems) == 6
    assert all(isinstance(p, InputProblem) for p in err.problems)
    assert all(p.process_id == 20 and p.process_name == "Faulty-Run" for p in err.problems)
    assert str(err).startswith("6 problem(s) stop the export:")
    assert len(str(err).splitlines()) == 7


def _find(err, field):
    [problem] = [p for p in err.problems if p.field == field]
    return problem


def test_message_duration_in_words():
    p = _find(problems_of(load("faulty_values")), "time_IN")
    assert (p.step_position, p.step_id, p.step_type, p.value) == (1, 401, "RIE PlasmaPro",
                                                                   "5 minutes")
    assert str(p) == (
        "process 20 (Faulty-Run), step 1 (id 401, type 'RIE PlasmaPro'), field 'time_IN' = "
        "'5 minutes': '5 minutes' is not written H:M:S; expected a duration written H:M:S, "
        "e.g. 01:30:00"
    )


def test_message_text_in_numeric_field():
    p = _find(problems_of(load("faulty_values")), "thickness")
    assert (p.step_position, p.step_id, p.step_type) == (2, 402, "Starting Materials")
    assert str(p).endswith("field 'thickness' = 'thick': 'thick' is not a number; "
                           "expected a number in um")


def test_message_decimal_in_integer_field():
    p = _find(problems_of(load("faulty_values")), "Wafer_n")
    assert p.message == "'1.5' is not a whole number; expected a whole number such as 12"


def test_message_yes_no_and_naive_date():
    err = problems_of(load("faulty_values"))
    assert "'maybe' is not Yes or No; expected Yes or No" in _find(err, "hmds").message
    date = _find(err, "date")
    assert date.step_position == 3
    assert "has no time zone; expected an ISO 8601 date-time with time zone" in date.message


def test_message_unknown_step_type_lists_known_ones():
    p = [p for p in problems_of(load("faulty_values")).problems if p.field is None][0]
    assert (p.step_position, p.step_id, p.step_type) == (5, 405, "Plasma Cleaner")
    assert "unknown step type 'Plasma Cleaner' for profile " + OLD in p.message
    assert "known step types: Annealing, Bonding, Coating," in p.message
    assert "Wet Etching" in p.message


def test_message_missing_required_value():
    document = load("picotcdv3")
    document["process"]["name"] = "  "
    [p] = problems_of(document).problems
    assert (p.process_id, p.step_position, p.field, p.value) == (17, None, "name", "  ")
    assert str(p) == "process 17, field 'name' = '  ': a value is required here"


def test_message_bad_process_date():
    document = load("picotcdv3")
    document["process"]["start_date"] = "02/03/2025"
    [p] = problems_of(document).problems
    assert p.field == "start_date"
    assert "'02/03/2025' is not an ISO 8601 date-time" in p.message


def test_malformed_documents_are_reported_per_step():
    err = problems_of(load("faulty_structure"))
    text = str(err)
    assert "position 1 is used by two steps (ids 501 and 502)" in text
    assert "the step has no \"id\"" in text
    assert "field 'position' = '3': \"position\" must be a whole number >= 0" in text
    assert "step 4 (id 505), field 'type' = None: the step has no \"type\"" in text
    assert "\"fields\" must be an object" in text
    assert "step number 7 in \"steps\" is not an object" in text
    assert len(err.problems) == 6


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "must be a JSON object"),
        ({"steps": []}, "has no \"process\" object"),
        ({"process": {"name": "x"}, "steps": []}, "the process has no \"id\""),
        ({"process": {"id": 1, "name": "x"}, "steps": {}}, "\"steps\" must be a list"),
    ],
)
def test_malformed_document_shapes(document, expected):
    assert expected in str(problems_of(document))


def _broken_profile(**changes):
    """The 2025.04 profile with RIE's last entry (recipe) rewritten past the loader's checks."""
    prof = load_profile(OLD)
    rie = prof.step_types["RIE"]
    last = rie.entries[-1]
    bad = dataclasses.replace(last, target="recipe", path=(
        dataclasses.replace(last.path[0], name="recipe"),), **changes)
    entries = rie.entries[:-1] + (bad,)
    part = dataclasses.replace(rie.parts[0], entries=entries)
    return dataclasses.replace(prof, step_types={
        **prof.step_types, "RIE": dataclasses.replace(rie, entries=entries, parts=(part,))
    })


def test_profile_bug_caught_by_the_validator_is_an_export_error():
    """A profile that got past the loader but writes what NOMAD would drop never exports."""
    broken = _broken_profile(field=None, has_constant=True, constant="x")
    with pytest.raises(ExportError) as err:
        export_process(load("sin_waveguide_07"), profile=broken)
    [p] = err.value.problems
    assert (p.step_position, p.step_id, p.step_type, p.field) == (2, 302, "RIE", None)
    assert "02_rie.archive.json: data.recipe:" in p.message
    assert "[unknown_key]" in p.message
    assert "report this to the profile's maintainer" in p.message


def test_validator_finding_on_a_cams_value_names_the_field():
    with pytest.raises(ExportError) as err:
        export_process(load("sin_waveguide_07"), profile=_broken_profile())
    [p] = err.value.problems
    assert (p.step_position, p.step_id, p.field, p.value) == (2, 302, "recipe", "SiN-CHF3")
    assert p.message.startswith("NOMAD would not accept the value: ")


# ---------------------------------------------------------------------- file names
def test_safe_unique_names_for_hostile_step_names():
    result = export_process(load("hostile_names"), profile=OLD)
    names = [f for _, f in result.step_files]
    assert len(set(names)) == len(names) == 10
    for name in names:
        assert re.fullmatch(r"\d{2}_[a-z0-9]+(-[a-z0-9]+)*\.archive\.json", name), name
        assert len(name) <= 2 + 1 + 60 + len(".archive.json")
    assert names[0] == "01_trench-etch-2.archive.json"
    assert names[1] == "02_etc-passwd.archive.json"
    assert names[2] == "03_a-b.archive.json"  # NUL
    assert names[3] == "04_wet-cleaning.archive.json"  # blank name: the step type
    assert names[4] == "05_atzen-grosse-um-1-2.archive.json"
    assert names[7] == "08_wet-cleaning.archive.json"  # nothing transliterable
    assert names[9] == "10_trench-etch-2.archive.json"  # same name, other position
    assert result.process_file == "process_17-x_pico-tcd-v3.archive.json"


def test_name_width_grows_with_positions():
    document = load("sin_waveguide_07")
    document["steps"][-1]["position"] = 120
    names = [f for _, f in export_process(document, profile=OLD).step_files]
    assert names[0] == "001_wet-etching.archive.json"
    assert names[-1] == "120_electron-gun.archive.json"


# ------------------------------------------------------------------------------ zip
def test_zip_is_byte_identical_for_the_same_input(tmp_path):
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    write_zip(export_process(load("picotcdv3"), profile=OLD), a)
    document = load("picotcdv3")
    for step in document["steps"]:  # same data, other key order
        step["fields"] = dict(reversed(list(step["fields"].items())))
    document["steps"].reverse()
    write_zip(export_process(document, profile=OLD), b)
    assert a.read_bytes() == b.read_bytes()


def test_zip_content_is_sorted_fixed_and_complete(tmp_path):
    result = export_process(load("mems_gyro_b2"), profile=OLD)
    path = write_zip(result, tmp_path / "out.zip")
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(result.archives)
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert (info.external_attr >> 16) & 0o777 == 0o644
            assert json.loads(zf.read(info)) == result.archives[info.filename]
            assert zf.read(info) == archive_bytes(result.archives[info.filename])
    assert (path.stat().st_mode & 0o777) == 0o644
    assert list(tmp_path.iterdir()) == [path]


def test_archive_json_is_stable():
    text = archive_bytes({"data": {"b": 1, "a": "µ"}}).decode()
    assert text == '{\n  "data": {\n    "a": "µ",\n    "b": 1\n  }\n}\n'


def test_failed_write_leaves_no_half_zip(tmp_path):
    target = tmp_path / "out.zip"
    target.write_bytes(b"previous export")
    with pytest.raises(ValueError, match="cannot be written as JSON"):
        write_zip({"x.archive.json": {"data": {"bad": {1, 2}}}}, target)
    assert target.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.zip"]


def test_full_disk_gives_our_error_and_leaves_nothing(tmp_path):
    """RLIMIT_FSIZE makes writes fail like a full disk (EFBIG), in a child process."""
    import subprocess
    import sys
    import textwrap

    target = tmp_path / "out" / "p.zip"
    target.parent.mkdir()
    script = textwrap.dedent(f"""
        import json, resource, signal, sys
        from cams_module.export import ZipWriteError, export_process, write_zip
        result = export_process(json.load(open({str(DOCS / 'picotcdv3.json')!r})),
                                profile={OLD!r})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
        try:
            write_zip(result, {str(target)!r})
        except ZipWriteError as err:
            print(err)
            sys.exit(3)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 3, done.stderr
    assert done.stdout.startswith(f"could not write the export zip {target}: ")
    assert "the disk is full (or the file too large): free some space" in done.stdout
    assert list(target.parent.iterdir()) == []


def test_missing_folder_gives_our_error(tmp_path):
    from cams_module.export import ZipWriteError

    with pytest.raises(ZipWriteError) as err:
        write_zip({}, tmp_path / "nope" / "x.zip")
    assert "check that the folder exists and is writable" in str(err.value)


def test_export_does_not_change_the_document():
    document = load("picotcdv3")
    before = copy.deepcopy(document)
    export_process(document, profile=OLD)
    assert document == before


def test_zip_bytes_roundtrip_in_memory():
    result = export_process(load("picotcdv3"), profile=OLD)
    buffer = io.BytesIO()
    from cams_module.export.zipping import zip_bytes_into

    zip_bytes_into(buffer, {n: archive_bytes(a) for n, a in result.archives.items()})
    assert zipfile.ZipFile(io.BytesIO(buffer.getvalue())).testzip() is None
