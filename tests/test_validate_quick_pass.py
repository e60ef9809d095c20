"""The validator's quick verdicts (schema/quick_pass.py) never pass a value its full checks
refuse: for every kind of quantity and any JSON-like value, a quick pass means the full
check finds nothing — so the one validator reports exactly what it reported without them."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from cams_module.schema import validate_archive
from cams_module.schema.model import ENTRY_DATA, ClassDef, Quantity, SchemaSet
from cams_module.schema.quick_pass import FULL, REFERENCE, REFERENCES, fast_code, passes
from cams_module.schema.validate import _Checker

M_DEF = "t.Entry"
STEP_M_DEF = "t.Step"
QUANTITIES = [
    Quantity("s", "str"), Quantity("b", "bool"), Quantity("i", "int"),
    Quantity("i32", "np.int32"), Quantity("i64", "np.int64"), Quantity("f", "np.float64", "nm"),
    Quantity("d", "Datetime"), Quantity("e", "MEnum", enum=("Yes", "No", "1")),
    Quantity("e0", "MEnum"), Quantity("j", "JSON"), Quantity("x", "SomethingNew"),
    Quantity("r", f"Reference({STEP_M_DEF})"), Quantity("rs", f"Reference({STEP_M_DEF})",
                                                       shape=("*",)),
]
SCHEMAS = SchemaSet("quick", {
    M_DEF: ClassDef(M_DEF, mro=(ENTRY_DATA,), quantities={q.name: q for q in QUANTITIES}),
    STEP_M_DEF: ClassDef(STEP_M_DEF, mro=(ENTRY_DATA,)),
})
UPLOAD = {"a.archive.json": STEP_M_DEF, "p.archive.json": M_DEF, "n.archive.json": None}
UP = "../upload/archive/mainfile/"
REFS = st.sampled_from([
    f"{UP}a.archive.json#data", f"{UP}p.archive.json#data", f"{UP}n.archive.json#data",
    f"{UP}b.json#data", f"{UP}#data", f"{UP}a#x#data", "#/data", f"{UP}a.archive.json#/data",
    f"{UP}a\n#data", "a.archive.json#data",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-2**70, 2**70), st.floats(),
    st.text(max_size=30), REFS,
    st.sampled_from(["Yes", "No", "yes", "1", "2025-03-02T09:00:00+01:00", "2025-03-02",
                     "2025-03-02T09:00:00", "2025-03-02 09:00:00Z", " 2025-03-02T09:00:00Z",
                     math.inf, -math.inf, math.nan, 2**31, -(2**31) - 1, 2**63, 2**64]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(value=VALUES, upload=st.sampled_from([UPLOAD, set(UPLOAD), None]))
def test_a_quick_pass_is_never_a_value_the_full_check_refuses(value, upload):
    for q in QUANTITIES:
        code, allowed = fast_code(q)
        full = _Checker({"data": {}}, SCHEMAS, "t.archive.json", upload)
        full.quantity(value, q, f"data.{q.name}")
        if code == REFERENCE:
            quick = full.reference_passes(value, allowed)
        elif code == REFERENCES:
            quick = isinstance(value, list) and all(
                _Checker({}, SCHEMAS, None, upload).reference_passes(v, allowed) for v in value)
        else:
            quick = code != FULL and passes(value, code, allowed)
        if quick:
            assert full.problems == [], (q, value)


@settings(max_examples=200, deadline=None)
@given(values=st.fixed_dictionaries({q.name: VALUES for q in QUANTITIES}))
def test_the_validator_reports_what_the_full_checks_report(values):
    archive = {"data": {"m_def": M_DEF, **values}}
    full = _Checker(archive, SCHEMAS, "t.archive.json", UPLOAD)
    by_name = {q.name: q for q in QUANTITIES}
    for name, value in values.items():
        full.quantity(value, by_name[name], f"data.{name}")
    assert validate_archive(archive, SCHEMAS, mainfile="t.archive.json",
                            upload_mainfiles=UPLOAD) == full.problems
