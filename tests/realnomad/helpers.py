"""Shared steps of the real-NOMAD tier: export a process document, upload it, read back."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import requests

from cams_module.api_collection import NomadClient, upload_file
from cams_module.cams2nomad.profile import load_profile
from cams_module.export import export_process, write_zip
from cams_module.schema.yaml_package import embed
from tests.profile_2_0_cases import every_type_document

DOCS = Path(__file__).resolve().parents[1] / "data" / "process_documents"
EVERY_STEP_TYPE = "every_step_type"


def export_zip(doc_name: str, folder: Path, *, profile: str = "fabrication-utilities-2.0",
               embedded: bool = True) -> tuple[Path, dict[str, dict]]:
    """Export a sample process document (embedded schema by default) to a zip;
    ``every_step_type``: one step of each of the 30 CAMS types."""
    if doc_name == EVERY_STEP_TYPE:
        document = every_type_document()
    else:
        document = json.loads((DOCS / f"{doc_name}.json").read_text(encoding="utf-8"))
    result = export_process(document, profile=profile)
    if embedded:
        result = replace(result, archives=embed(result.archives, load_profile(profile).schemas))
    path = write_zip(result, folder / f"{doc_name}.zip")
    return path, result.archives


def upload(client: NomadClient, path: Path, name: str, **kw: Any):
    return upload_file(path, client=client, upload_name=name, **kw)


def stored_archive(client: NomadClient, entry_id: str) -> dict:
    """The processed archive NOMAD stored for an entry (GET /entries/{id}/archive)."""
    answer = requests.get(f"{client.config.url}/entries/{entry_id}/archive",
                          headers={"Authorization": f"Bearer {client.get_authentication_token()}"},
                          timeout=30)
    answer.raise_for_status()
    return answer.json()["data"]["archive"]
