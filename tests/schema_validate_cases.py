"""Shared by the tests of the one validator: both schema sets as the fixtures ``s20`` and
``s2504`` (a test module takes them with ``s20 = cases.s20``), class names, a minimal RIE
archive and the check that exactly one problem was found."""

from pathlib import Path

import pytest

from cams_module.schema import load_schema_set

EXAMPLE = Path(__file__).parent / "data" / "plugin-example-2.0.0"
V20 = "fabrication-utilities-2.0"
V2504 = "fabrication-utilities-2025.04"
RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
PROCESS = "schema_packages.fabrication_utilities.FabricationProcess"
STEP = "schema_packages.fabrication_utilities.FabricationProcessStep"
OLD_RIE = "fabrication_facilities.schema_packages.remove.RIE"


@pytest.fixture(scope="module")
def s20():
    return load_schema_set(V20)


@pytest.fixture(scope="module")
def s2504():
    return load_schema_set(V2504)


def rie(**fields):
    return {"data": {"m_def": RIE, **fields}}


def only(problems, code=None):
    assert len(problems) == 1, problems
    if code:
        assert problems[0].code == code, problems
    return problems[0]
