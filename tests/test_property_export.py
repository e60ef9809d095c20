"""Property-based hardening of the exporter (issue 6).

Random CAMS field values, step names and step types are fed to `export_process`. Whatever
happens, it raises nothing but our own ExportError; whatever it accepts passes the one
validator, serialises as strict JSON (no NaN/Infinity), zips to safe file names and
keeps every value somewhere (a target or the step's notes).
"""

from __future__ import annotations

import copy
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cams_module.cams2nomad.profile import list_profiles, load_profile
from cams_module.export import ExportError, archive_bytes, export_process, write_zip
from cams_module.schema import validate_archive

PROFILES = {name: load_profile(name) for name in list_profiles()}
SAFE_FILE = re.compile(r"^[a-z0-9][a-z0-9_.-]*\.archive\.json$")
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# What a lab user (or a broken browser) can put into a CAMS field.
odd_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
hostile_text = st.sampled_from([
    "../../etc/passwd", "..", "/", "\x00", "a\x00b", "\u202eevil", "\ufeff", "😀" * 30,
    "Ω" * 500, "x" * 5000, "CON", "nul.txt", " ", "\t\n", "\\..\\", "%2e%2e%2f", "ß/ø/µm",
    "1,5", "1,500", "00:05:30", "5 minutes", "Yes", "No", "-1", "1e308", "1e-320", "NaN",
    "Infinity", "2025-03-03T10:00:00+01:00", "2025-03-03T10:00:00", "",
])
scalar = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text, hostile_text,
)
value = st.one_of(scalar, st.lists(scalar, max_size=3),
                  st.dictionaries(odd_text, scalar, max_size=2))


@st.composite
def documents(draw) -> tuple[str, dict]:
    """(profile name, a process document with 1-4 random steps)."""
    profile_name = draw(st.sampled_from(sorted(PROFILES)))
    profile = PROFILES[profile_name]
    type_names = sorted(profile.step_types)
    steps = []
    for position in range(1, draw(st.integers(1, 4)) + 1):
        step_type = draw(st.one_of(st.sampled_from(type_names), odd_text))
        known = sorted(profile.step_types[step_type].fields) if step_type in type_names else []
        names = draw(st.lists(st.one_of(st.sampled_from(known) if known else odd_text,
                                        odd_text, hostile_text), max_size=6, unique=True))
        fields = {n: draw(value) for n in names}
        steps.append({"id": 100 + position, "position": position, "type": step_type,
                      "name": draw(st.one_of(odd_text, hostile_text, st.none())),
                      "date": draw(st.one_of(st.none(), hostile_text)),
                      "operator": draw(st.one_of(st.none(), odd_text)), "fields": fields})
    process = {"id": draw(st.integers(1, 10**12)),
               "name": draw(st.one_of(odd_text, hostile_text)),
               "description": draw(st.one_of(st.none(), odd_text)), "owner": "m.rossi",
               "project": draw(st.one_of(st.none(), hostile_text)),
               "start_date": draw(st.one_of(st.none(), hostile_text)), "end_date": None,
               "notes": draw(st.one_of(st.none(), odd_text))}
    return profile_name, {"process": process, "steps": steps}


def _strict_json(data: bytes) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"archive JSON holds {constant}")

    return json.loads(data.decode("utf-8"), parse_constant=refuse)


def _check_accepted(profile_name: str, document: dict, result, tmp_path) -> None:
    schemas = PROFILES[profile_name].schemas
    mainfiles = set(result.archives)
    assert len(mainfiles) == len(result.part_files) + 1 >= len(document["steps"]) + 1
    assert len(result.step_files) == len(document["steps"])
    for name, archive in result.archives.items():
        assert SAFE_FILE.match(name), name
        assert len(name.encode()) < 255
        problems = validate_archive(archive, schemas, mainfile=name, upload_mainfiles=mainfiles)
        assert problems == [], (name, problems)
        assert _strict_json(archive_bytes(archive)) == json.loads(
            json.dumps(archive, allow_nan=False))
    path = write_zip(result, tmp_path / "out.zip")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        assert sorted(zf.namelist()) == sorted(result.archives)
        for info in zf.infolist():
            _strict_json(zf.read(info))


@SETTINGS
@given(case=documents())
def test_random_documents_raise_only_export_error_and_accepted_ones_validate(
        case, tmp_path_factory) -> None:
    profile_name, document = case
    try:
        result = export_process(document, profile=profile_name)
    except ExportError as err:
        assert err.problems
        text = str(err)
        # messages may quote a hostile value, but it must render: control characters escaped
        lines = text.split("\n")
        assert len(lines) == len(err.problems) + 1
        assert not any(unicodedata.category(c) == "Cc" for line in lines for c in line), text
        assert all(p.message for p in err.problems)
        return
    _check_accepted(profile_name, document, result, tmp_path_factory.mktemp("zip"))


DEMO = json.loads((Path(__file__).resolve().parents[1] / "task" / "demo" / "processes.json")
                  .read_text(encoding="utf-8"))["processes"]


def _exports(profile_name: str, document: dict) -> bool:
    try:
        export_process(document, profile=profile_name)
    except ExportError:
        return False
    return True


#: (profile, demo process) pairs that export cleanly as shipped
VALID_DEMO = [(name, d) for name in sorted(PROFILES) for d in DEMO if _exports(name, d)]


@SETTINGS
@given(data=st.data())
def test_demo_process_with_one_hostile_value(data, tmp_path_factory) -> None:
    """A valid demo process with one step name, field value or extra field made hostile:
    refused naming that field, or accepted with the value kept (target or notes)."""
    profile_name, shipped = data.draw(st.sampled_from(VALID_DEMO))
    document = copy.deepcopy(shipped)
    step = data.draw(st.sampled_from(document["steps"]))
    what = data.draw(st.sampled_from(["name", "process_name", "value", "extra"]))
    field = None
    if what == "name":
        step["name"] = data.draw(st.one_of(odd_text, hostile_text))
    elif what == "process_name":
        document["process"]["name"] = data.draw(st.one_of(odd_text, hostile_text))
    elif what == "value" and step["fields"]:
        field = data.draw(st.sampled_from(sorted(step["fields"])))
        step["fields"][field] = data.draw(value)
    else:
        field = "zz_" + data.draw(odd_text)
        step["fields"][field] = data.draw(st.one_of(odd_text.filter(str.strip), hostile_text
                                                    .filter(str.strip)))
    try:
        result = export_process(document, profile=profile_name)
    except ExportError as err:
        assert err.problems and all(p.message for p in err.problems)
        if what in ("name", "process_name"):  # only a blank name may be refused, by name
            assert all(p.field == "name" for p in err.problems), str(err)
            return
        assert any(p.field == field for p in err.problems), str(err)
        return
    _check_accepted(profile_name, document, result, tmp_path_factory.mktemp("zip"))
    if what == "extra":
        kept = {u.field for u in result.report.unmapped}
        assert field in kept


@SETTINGS
@given(st.sampled_from(sorted(PROFILES)), st.data())
def test_every_known_field_value_is_kept_or_refused(profile_name, data) -> None:
    """A value that converts lands in an archive or in notes: nothing silently dropped."""
    profile = PROFILES[profile_name]
    step_type = data.draw(st.sampled_from(sorted(profile.step_types)))
    fields = sorted(profile.step_types[step_type].fields) or ["extra"]
    field = data.draw(st.sampled_from(fields))
    raw = data.draw(st.one_of(odd_text.filter(lambda s: s.strip()), hostile_text.filter(
        lambda s: s.strip()), st.floats(allow_nan=False, allow_infinity=False,
                                        min_value=-1e9, max_value=1e9), st.integers(0, 10**6)))
    document = {"process": {"id": 1, "name": "P", "owner": "m.rossi"},
                "steps": [{"id": 7, "position": 1, "type": step_type, "name": "S",
                           "fields": {field: raw}}]}
    try:
        result = export_process(document, profile=profile_name)
    except ExportError as err:
        assert any(p.field == field for p in err.problems), str(err)
        return
    (step_file,) = [n for _, n in result.step_files]
    unmapped = {u.field for u in result.report.unmapped}
    if field in unmapped:  # kept in the step's notes, readable
        assert field in result.archives[step_file]["data"].get("notes", "")
    else:  # taken by a target of the profile
        assert field in profile.step_types[step_type].fields
