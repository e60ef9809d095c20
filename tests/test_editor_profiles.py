"""Choosing the schema set of an archive and the classes a new archive can start from."""

import pytest

from cams_module.editor.profiles import (
    SET_2_0,
    SET_2025_04,
    ProfileError,
    creatable_classes,
    set_name_for,
)
from cams_module.schema import load_schema_set


def test_schema_set_from_m_def_prefix_or_override():
    assert set_name_for({"data": {"m_def": "schema_packages.steps.transform.Track"}}) == SET_2_0
    assert set_name_for({"data": {"m_def": "fabrication_facilities.schema_packages.x.Y"}}) == \
        SET_2025_04
    assert set_name_for({"data": {"m_def": "other.X"}}, SET_2_0) == SET_2_0
    with pytest.raises(ProfileError, match="--profile"):
        set_name_for({"data": {}})
    with pytest.raises(ProfileError, match="no known plugin version"):
        set_name_for({"data": {"m_def": "other.X"}})


def test_process_classes_then_steps_then_the_rest_for_each_set():
    sets = [load_schema_set(SET_2_0), load_schema_set(SET_2025_04)]
    rows = creatable_classes(sets)
    for schemas in sets:
        ours = [m for name, m in rows if name == schemas.name]
        steps = set(schemas.step_classes())
        groups = [0 if m.rsplit(".", 1)[-1].endswith("Process") else 1 if m in steps else 2
                  for m in ours]
        assert groups == sorted(groups)
        assert groups[0] == 0 and 1 in groups
        assert not any(schemas.get(m).unreachable for m in ours)
    assert len(rows) == len(set(rows))
