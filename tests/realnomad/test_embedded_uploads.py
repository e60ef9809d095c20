"""Sample process documents, exported with the embedded schema, processed by the real NOMAD.

The real NOMAD here has no facility plugin (like the central NOMAD): every entry must
still process, and the values NOMAD stored must equal the export's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from cams_module.api_collection import ProcessingFailed
from tests.realnomad.helpers import export_zip, stored_archive, upload

DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)")
CASES = [("picotcdv3", "fabrication-utilities-2.0"),
         ("mems_gyro_b2", "fabrication-utilities-2.0"),
         ("sin_waveguide_07", "fabrication-utilities-2.0"),
         ("hostile_names", "fabrication-utilities-2.0"),
         ("every_step_type", "fabrication-utilities-2.0"),
         ("picotcdv3", "fabrication-utilities-2025.04")]


def same(expected: Any, stored: Any, refs: dict[str, str], sections: list[str],
         path: str = "data") -> None:
    """Every value the export wrote is stored unchanged (references: to the same entry).

    NOMAD stores an embedded ``m_def`` as ``../upload/<id>/raw/<file>#/definitions/
    section_definitions/<index>``: the index must name the same section of the package.
    """
    if path == "data.m_def":
        file, name = expected.split("/raw/", 1)[1].split("#/definitions/section_definitions/")
        head, index = stored.rsplit("/", 1)
        assert head.endswith(f"/raw/{file}#/definitions/section_definitions"), stored
        assert (sections[int(index)] if index.isdigit() else index) == name, stored
    elif isinstance(expected, dict):
        assert isinstance(stored, dict), path
        for key, value in expected.items():
            assert key in stored, f"{path}.{key} dropped by NOMAD"
            same(value, stored[key], refs, sections, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(stored, list) and len(stored) == len(expected), path
        for i, (a, b) in enumerate(zip(expected, stored, strict=True)):
            same(a, b, refs, sections, f"{path}[{i}]")
    elif isinstance(expected, str) and expected.startswith("../upload/archive/mainfile/"):
        mainfile = expected.split("mainfile/", 1)[1].split("#", 1)[0]
        assert stored in (expected, f"../upload/archive/{refs[mainfile]}#/data"), path
    elif isinstance(expected, str) and DATETIME.fullmatch(expected):  # NOMAD stores UTC
        assert datetime.fromisoformat(stored) == datetime.fromisoformat(expected), path
    else:
        assert stored == expected, path


@pytest.mark.parametrize("doc,profile", CASES, ids=[f"{d}-{p[-4:]}" for d, p in CASES])
def test_every_entry_processes_and_keeps_the_exported_values(real_nomad, tmp_path, doc, profile):
    client = real_nomad.client()
    path, archives = export_zip(doc, tmp_path, profile=profile)
    done = upload(client, path, f"{doc}-{profile}", delete_on_failure=False)
    try:
        assert done.process_status == "SUCCESS"
        by_file = {e.mainfile: e for e in done.entries}
        assert set(by_file) == set(archives)  # the schema package is an entry too
        assert all(e.process_status == "SUCCESS" and not e.errors for e in done.entries), \
            [(e.mainfile, e.errors) for e in done.entries if e.errors]
        refs = {name: e.entry_id for name, e in by_file.items()}
        package = next(a for n, a in archives.items() if n.endswith(".yaml"))
        sections = list(package["definitions"]["sections"])
        for name, archive in archives.items():
            if name.endswith(".yaml"):
                continue
            stored = stored_archive(client, by_file[name].entry_id)
            same(archive["data"], stored["data"], refs, sections)
    finally:
        client.delete_upload(done.upload_id)


def test_plugin_mode_fails_where_nomad_lacks_the_plugin(real_nomad, tmp_path):
    """Why the embedded mode exists: the plugin's m_defs cannot resolve here."""
    client = real_nomad.client()
    path, archives = export_zip("picotcdv3", tmp_path, embedded=False)
    with pytest.raises(ProcessingFailed) as caught:
        upload(client, path, "plugin-mode")
    failed = caught.value.failed_entries
    try:
        assert {e.mainfile for e in failed} == set(archives)
        assert all("parser failed" in " ".join(e.errors) for e in failed)
    finally:
        client.delete_upload(caught.value.upload.upload_id)
