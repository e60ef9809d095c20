"""The export's schemas come from the target NOMAD when it answers, else from the snapshot."""

import json
import socket
from pathlib import Path

import pytest

from cams_module.cams2nomad.profile import (
    DEFAULT_PROFILE,
    ProfileError,
    load_profile,
    profile_classes,
)
from cams_module.export import export_process, write_zip
from cams_module.nomad.schemas import forget_cached_schemas, schemas_from_nomad
from tests.nomad_helpers import fast_client

DOCS = Path(__file__).parent / "data" / "process_documents"


def schemas_for_profile(client, name: str = DEFAULT_PROFILE):
    """The classes a profile writes, as the client's NOMAD (or the snapshot) defines them."""
    profile = load_profile(name)
    return schemas_from_nomad(client, profile.schema_set, profile_classes(profile))


@pytest.fixture(autouse=True)
def _fresh_cache():
    forget_cached_schemas()
    yield
    forget_cached_schemas()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_schemas_are_read_from_the_target_nomad(nomad_server, tmp_path):
    choice = schemas_for_profile(fast_client(nomad_server))
    assert choice.from_nomad and choice.source == f"NOMAD at {nomad_server.url}"
    assert set(profile_classes(load_profile())) <= set(choice.schemas.classes)
    assert choice.schemas.unit_symbol("millibar") == "mbar"  # messages show symbols
    schema_requests = nomad_server.stats()["routes"]
    assert sum(n for route, n in schema_requests.items() if "/schemas/" in route) == len(
        profile_classes(load_profile()))
    document = json.loads((DOCS / "picotcdv3.json").read_text("utf-8"))
    # judged by NOMAD's own answers, the export is the very same as by the snapshot
    write_zip(export_process(document, schemas=choice.schemas), tmp_path / "nomad.zip")
    write_zip(export_process(document), tmp_path / "snapshot.zip")
    assert (tmp_path / "nomad.zip").read_bytes() == (tmp_path / "snapshot.zip").read_bytes()


def test_answers_are_cached_per_nomad(nomad_server):
    client = fast_client(nomad_server)
    schemas_for_profile(client)
    before = nomad_server.stats()["total_requests"]
    again = schemas_for_profile(client)
    assert again.from_nomad
    assert nomad_server.stats()["total_requests"] == before


def test_unreachable_nomad_falls_back_to_the_snapshot():
    from cams_module.api_collection import NomadClient
    from cams_module.nomad.config import NomadConfig

    client = NomadClient(NomadConfig(url=f"http://127.0.0.1:{_closed_port()}", token="t"))
    choice = schemas_for_profile(client, "fabrication-utilities-2.0")
    assert not choice.from_nomad
    assert choice.schemas.name == "fabrication-utilities-2.0"
    assert choice.source.startswith("shipped snapshot fabrication-utilities-2.0 (")


def test_a_nomad_with_another_plugin_version_is_named_not_papered_over(nomad_server_factory):
    old = nomad_server_factory(extra_args=["--schema-set", "fabrication-utilities-2025.04"])
    choice = schemas_for_profile(fast_client(old), "fabrication-utilities-2.0")
    assert choice.from_nomad
    with pytest.raises(ProfileError) as err:
        load_profile("fabrication-utilities-2.0", choice.schemas)
    assert "schema_packages.fabrication_utilities.FabricationProcess" in str(err.value)
    assert f"NOMAD at {old.url}" in str(err.value)


def test_a_nomad_older_than_2_0_is_judged_by_the_snapshot(nomad_server_factory):
    old = nomad_server_factory(extra_args=["--nomad-version", "1.3.16"])
    choice = schemas_for_profile(fast_client(old), "fabrication-utilities-2.0")
    assert not choice.from_nomad
    assert choice.schemas.name == "fabrication-utilities-2.0"
    assert "NOMAD 1.3.16 serves no JSON Schemas" in choice.source
