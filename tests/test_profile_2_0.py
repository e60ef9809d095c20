"""The default mapping profile ``fabrication-utilities-2.0`` (Fabrication-utilities 2.0.0):
it loads as the default, every class is a loadable 2.0 class, the cases cover every step
type and mapped field, and the uncertain targets are marked, reported and listed in
docs/profile-2.0-review.md. The exports of every step type: test_profile_2_0_export.py;
the seed's known defects: test_profile_2_0_seed_defects.py.
"""

from __future__ import annotations

import importlib.util

from cams_module.cams2nomad.profile import DEFAULT_PROFILE
from cams_module.export import export_process
from tests import profile_2_0_cases as cases
from tests.profile_2_0_cases import (
    CAMS_STEP_TYPES,
    CASES,
    FALLBACK_TYPES,
    GENERIC,
    PROFILE_NAME,
    REVIEW_DOC,
    ROOT,
    SP,
    document,
    raw_profile,
)

# the shared module-scoped fixtures
profile = cases.profile
schemas = cases.schemas


# ----------------------------------------------------------------------- the profile
def test_profile_loads_through_the_engine_and_is_the_default(profile):
    assert DEFAULT_PROFILE == PROFILE_NAME
    assert profile.schema_set == "fabrication-utilities-2.0"
    assert profile.process_m_def == SP + "fabrication_utilities.FabricationProcess"
    assert set(profile.step_types) == CAMS_STEP_TYPES


def test_every_class_is_a_loadable_2_0_class(profile, schemas):
    for name, step_type in profile.step_types.items():
        for part in step_type.parts:
            assert part.m_def.startswith(SP), name
            cls = schemas.get(part.m_def)
            assert cls is not None and not getattr(cls, "unreachable", False), name
    for name, cls_name in FALLBACK_TYPES.items():
        assert cls_name in (profile.step_types[name].note or "")
        assert profile.step_types[name].m_def != GENERIC


def test_cases_cover_every_step_type_and_every_mapped_field(profile):
    assert set(CASES) == CAMS_STEP_TYPES
    for name, (fields, expected) in CASES.items():
        step_type = profile.step_types[name]
        assert step_type.fields <= set(fields), (name, step_type.fields - set(fields))
        own_targets = {e.target for e in step_type.parts[0].entries if e.source is None}
        if step_type.not_done_in is not None and step_type.not_done_in.target in expected:
            own_targets.add(step_type.not_done_in.target)   # written when a switch is No
        assert set(expected) == own_targets, (name, own_targets ^ set(expected))


# ------------------------------------------------------------------ uncertain targets
# The "~" targets of mapping-to-plugin-2.0.md: (CAMS step type, target path prefix).
EXPECTED_UNCERTAIN = {
    ("Wet Etching", "etching_steps[0].reactives_used_to_etch[0]"),
    ("Silicon Wet Micromachining", "etching_steps[0].reactives_used_to_etch[0]"),
    ("Wet Cleaning", "cleaning_steps[0]"),
    ("Coating", "coating_steps[0].priming"),
    ("Coating", "coating_steps[0].resist_material[0]"),
    ("Stripping", "stripping_steps[0].duration"),
    ("LPCVD deposition", "synthesis_steps[0].material_deposited[0]"),
    ("SOG", "sog_steps[0].substrate_material"),
    ("DRIE", "etching_steps[0].materials_etched[0]"),
    ("DRIE Cobra", "etching_steps[0].materials_etched[0]"),
    ("Annealing", "annealing_steps[0].ramp_up"),
    ("Annealing", "annealing_steps[0].fluximeters[0]"),
    ("Metal Annealing", "annealing_steps[0].ramp_up"),
    ("Electron Gun", "deposition_steps[0].material_deposited[0]"),
    ("Electron Gun KSE", "deposition_steps[0].material_deposited[0]"),
}


def test_uncertain_targets_are_marked_with_a_note(profile):
    marked = [(name, e) for name, st in profile.step_types.items()
              for e in st.own_entries if e.uncertain]
    for name, entry in marked:
        assert entry.note and len(entry.note) > 20, (name, entry.target)
    for name, prefix in EXPECTED_UNCERTAIN:
        hits = [e for n, e in marked if n == name and e.target.startswith(prefix)]
        assert hits, (name, prefix)
    # every entry that does not rest on an exact 2.0 name is marked: sub-step material names
    for name, st in profile.step_types.items():
        for e in st.own_entries:
            if e.target.endswith(".name") or "ramp_" in e.target or e.has_constant:
                assert e.uncertain or e.target in (
                    "sog_steps[0].dewetting_temperature", "instruments[0].name"), (name, e.target)


def test_export_report_lists_the_uncertain_targets_used():
    result = export_process(document("Annealing", CASES["Annealing"][0]), profile=PROFILE_NAME)
    reported = {(u.step_type, u.field, u.target) for u in result.report.uncertain}
    assert ("Annealing", "final_temperature", "annealing_steps[0].ramp_up.end_value") in reported
    assert ("Annealing", "material", "annealing_steps[0].annealed_material.name") in reported


# ------------------------------------------------------------ the expert's review table
def _review_tool():
    path = ROOT / "tools" / "profile_review.py"
    spec = importlib.util.spec_from_file_location("profile_review", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_review_doc_is_generated_from_the_profile():
    expected = _review_tool().render(raw_profile())
    assert REVIEW_DOC.read_text(encoding="utf-8") == expected, (
        "docs/profile-2.0-review.md is stale: run .venv/bin/python tools/profile_review.py"
    )


def test_review_doc_lists_exactly_the_uncertain_targets(profile):
    marked = {(name, e.target) for name, st in profile.step_types.items()
              for e in st.own_entries if e.uncertain}
    marked |= {(name, st.not_done_in.target) for name, st in profile.step_types.items()
               if st.not_done_in is not None and st.not_done_in.uncertain}
    doc = REVIEW_DOC.read_text(encoding="utf-8")
    table = doc.split("## Uncertain targets", 1)[1].split("\n## ", 1)[0]
    listed = set()
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if len(cells) == 4 and cells[2].startswith("`"):
            listed.add((cells[0], cells[2].strip("`")))
    assert listed == marked
    split_section = doc.split("## CAMS steps that become several NOMAD entries", 1)[1]
    for name in FALLBACK_TYPES:
        assert f"\n| {name} |" in split_section
