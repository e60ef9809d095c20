"""Quick verdicts for the one validator: values that certainly have no problem, at a glance.

A value of a plain quantity is passed by one test of its type (and range or allowed values);
anything else takes the full checks of `validate.py`, which write the messages. What a
class's quantities need is worked out once per schema set and class."""

from __future__ import annotations

import weakref
from datetime import datetime
from functools import lru_cache

from .model import ClassDef, Quantity, SchemaSet

INT32_RANGE = (-(2**31), 2**31 - 1)

# The fast codes (below FULL) are passed by ``passes``; STR first, the most frequent.
(STR, _BOOL, _INT, _INT32, _FLOAT, _DATETIME, _ENUM, _JSON, _ANY, FULL, SUBSECTION,
 REFERENCE, REFERENCES) = range(13)
_FAST_KIND = {"str": STR, "bool": _BOOL, "float": _FLOAT, "datetime": _DATETIME,
              "json": _JSON, "any": _ANY}
_ANY_TYPES = frozenset({str, int, float, bool})
_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # SchemaSet -> {id: plan}


def fast_code(q: Quantity) -> tuple[int, frozenset | str | None]:
    """How a value of ``q`` can be passed at a glance (``FULL``: only by the full checks)."""
    kind = q.kind
    if kind == "reference" and q.reference_to is not None:
        if not q.shape:
            return REFERENCE, q.reference_to
        if len(q.shape) == 1 and not isinstance(q.shape[0], int):  # a list of any length
            return REFERENCES, q.reference_to
    if q.shape:
        return FULL, None
    if kind == "int":
        return (_INT32 if q.type in ("int", "np.int32") else _INT), None
    if kind == "enum":
        if q.enum is None:
            return STR, None
        try:
            return _ENUM, frozenset(v for v in q.enum if isinstance(v, str))
        except TypeError:
            return FULL, None
    return _FAST_KIND.get(kind, FULL), None


def class_plan(plans: dict, cls: ClassDef) -> dict:
    """{key: (Quantity, fast code, allowed values) or (SubSection, SUBSECTION, None)} of
    ``cls``, worked out once (a quantity wins over a sub-section of the same name)."""
    found = plans.get(id(cls))
    if found is None or found[0] is not cls:
        plan: dict = {name: (sub, SUBSECTION, None) for name, sub in cls.subsections.items()}
        plan.update((name, (q, *fast_code(q))) for name, q in cls.quantities.items())
        found = plans[id(cls)] = (cls, plan)
    return found[1]


def plans_of(schemas: SchemaSet) -> dict:
    """The class plans of ``schemas`` (kept as long as the set lives)."""
    plans = getattr(schemas, "plans", None)
    if isinstance(plans, dict):
        return plans
    try:
        plans = _PLANS.get(schemas)
    except TypeError:  # not weakly referable: work the plans out per archive
        return {}
    if plans is None:
        plans = _PLANS[schemas] = {}
    return plans


def passes(value, code: int, allowed) -> bool:
    """True when a value certainly has no problem for a quantity with fast ``code``."""
    t = type(value)
    if code == STR:
        return t is str
    if code == _FLOAT:
        return (t is float and value - value == 0.0) or (t is int and -2**63 <= value <= 2**63)
    if code == _DATETIME:
        return t is str and datetime_problem(value) is None
    if code == _ENUM:
        return t is str and value in allowed
    if code == _BOOL:
        return t is bool
    if code == _INT32:
        return t is int and INT32_RANGE[0] <= value <= INT32_RANGE[1]
    if code == _INT:
        return t is int
    if code == _JSON:
        return True
    if code == _ANY:
        return t in _ANY_TYPES
    return False


def datetime_problem(text: str) -> str | None:
    """Why ``text`` is not an ISO 8601 date-time with a time zone (None when it is)."""
    # dates repeat over the steps of a process: short texts are remembered
    return _known_datetime(text) if len(text) <= 64 else _datetime_problem(text)


@lru_cache(maxsize=4096)
def _known_datetime(text: str) -> str | None:
    return _datetime_problem(text)


def _datetime_problem(text: str) -> str | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return "not an ISO 8601 date-time"
    if "T" not in text.upper() and " " not in text:
        return "a date without a time"
    if parsed.tzinfo is None:
        return "the time zone is missing"
    return None


