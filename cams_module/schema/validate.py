"""The one archive validator: checks an archive dict against a SchemaSet.

NOMAD silently drops keys its schema does not define; we report them (``unknown_key``).
Numbers must already be plain numbers in the unit the quantity declares. A quantity whose
type string is not one the validator knows accepts any JSON scalar.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from dataclasses import dataclass

from .advice import close_classes, close_matches, generic_step, show
from .model import ClassDef, Quantity, SchemaSet
from .quick_pass import (
    FULL,
    INT32_RANGE,
    REFERENCE,
    REFERENCES,
    STR,
    SUBSECTION,
    class_plan,
    datetime_problem,
    passes,
    plans_of,
)

CODES = ("unknown_class", "unknown_key", "type", "enum", "shape", "datetime", "reference",
         "json")
_UPLOAD_PREFIX = "../upload/archive/mainfile/"
_UPLOAD_REF = re.compile(r"^\.\./upload/archive/mainfile/(?P<mainfile>[^#]+)#(?P<frag>.*)$")


@dataclass(frozen=True)
class Problem:
    """One problem found in an archive: where (dotted path), what (code), and a message."""

    path: str
    code: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _Checker:
    def __init__(self, archive, schemas: SchemaSet, mainfile, upload_mainfiles):
        self.archive = archive
        self.schemas = schemas
        self.plans = plans_of(schemas)
        self.where = f" in {mainfile}" if mainfile else ""
        self.upload_mainfiles = (  # a dict or set is used as it is: no copy per archive
            upload_mainfiles if isinstance(upload_mainfiles, dict | set | frozenset | None)
            else set(upload_mainfiles))
        # {mainfile: m_def} also lets references be checked against the class they point to
        self.upload_classes = upload_mainfiles if isinstance(upload_mainfiles, dict) else {}
        self.problems: list[Problem] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    # ------------------------------------------------------------ sections

    def run(self) -> list[Problem]:
        archive = self.archive
        if not isinstance(archive, dict):
            self.add("", "json", f"an archive must be a JSON object with a 'data' section, "
                                 f"found {show(archive)}{self.where}")
            return self.problems
        for key in archive:
            if key != "data":
                self.add(key, "unknown_key",
                         f"top-level key {key!r} is not allowed{self.where}: an archive holds "
                         f"only 'data' (NOMAD would drop or overwrite the rest)")
        data = archive.get("data")
        if not isinstance(data, dict):
            found = "nothing" if "data" not in archive else show(data)
            self.add("data", "json", f"the archive needs a 'data' object{self.where}, "
                                     f"found {found}")
            return self.problems
        m_def = data.get("m_def")
        cls = self.entry_class(m_def)
        if cls is not None:
            self.section(data, cls, "data")
        return self.problems

    def entry_class(self, m_def) -> ClassDef | None:
        if not isinstance(m_def, str) or not m_def:
            self.add("data.m_def", "unknown_class",
                     f"'data' needs an 'm_def' naming its class{self.where}, "
                     f"found {show(m_def) if m_def is not None else 'none'}")
            return None
        cls = self.class_named(m_def, "data.m_def")
        if cls is not None and not cls.is_entry:
            self.add("data.m_def", "unknown_class",
                     f"class {m_def!r} cannot be an entry's data{self.where}: it is not an "
                     f"EntryData section (it belongs inside one); use a process or step "
                     f"class such as {generic_step(self.schemas)}")
            return None
        return cls

    def class_named(self, m_def: str, path: str) -> ClassDef | None:
        cls = self.schemas.get(m_def)
        if cls is None:
            hint = close_classes(m_def, self.schemas)
            self.add(path, "unknown_class",
                     f"class {m_def!r} is not in schema set {self.schemas.name}{self.where}"
                     f"{hint}")
            return None
        if cls.unreachable:
            self.add(path, "unknown_class",
                     f"class {m_def!r} is defined by the plugin but NOMAD cannot load it "
                     f"({self.schemas.name}){self.where}; use a loadable class such as "
                     f"{generic_step(self.schemas)}")
            return None
        return cls

    def section(self, value: dict, cls: ClassDef, path: str) -> None:
        plan = class_plan(self.plans, cls)
        for key, item in value.items():
            if key == "m_def":
                continue
            planned = plan.get(key)
            if planned is None:
                options = [*cls.quantities, *cls.subsections]
                self.add(f"{path}.{key}", "unknown_key",
                         f"{cls.short_name} has no quantity or sub-section {key!r}{self.where} "
                         f"(NOMAD would drop it){close_matches(key, options)}")
                continue
            member, code, allowed = planned
            if code < FULL:  # a plain quantity: most values pass at a glance
                if (item.__class__ is not str if code == STR else
                        not passes(item, code, allowed)):
                    self.quantity(item, member, f"{path}.{key}")
            elif code == SUBSECTION:
                self.subsection(item, member.section, member.repeats, f"{path}.{key}")
            elif code == REFERENCE:
                if not self.reference_passes(item, allowed):
                    self.quantity(item, member, f"{path}.{key}")
            elif code == REFERENCES:
                if item.__class__ is not list or not all(
                        self.reference_passes(ref, allowed) for ref in item):
                    self.quantity(item, member, f"{path}.{key}")
            else:  # FULL
                self.quantity(item, member, f"{path}.{key}")

    def subsection(self, value, section: str, repeats: bool, path: str) -> None:
        if repeats:
            if not isinstance(value, list):
                self.add(path, "shape", f"expected a list of {section.rsplit('.', 1)[-1]} "
                                        f"objects (repeating sub-section), found {show(value)}")
                return
            for i, item in enumerate(value):
                self.one_subsection(item, section, f"{path}[{i}]")
        elif isinstance(value, list):
            self.add(path, "shape", f"expected one {section.rsplit('.', 1)[-1]} object "
                                    f"(not repeating), found a list")
        else:
            self.one_subsection(value, section, path)

    def one_subsection(self, value, section: str, path: str) -> None:
        if not isinstance(value, dict):
            self.add(path, "type", f"expected a {_short(section)} object, found {show(value)}")
            return
        cls = self.schemas.get(section)
        m_def = value.get("m_def")
        if m_def is not None:
            if not isinstance(m_def, str):
                self.add(f"{path}.m_def", "unknown_class",
                         f"m_def must name a class, found {show(m_def)}")
                return
            sub_cls = self.class_named(m_def, f"{path}.m_def")
            if sub_cls is None:
                return
            if not sub_cls.is_a(section):
                self.add(f"{path}.m_def", "unknown_class",
                         f"class {m_def!r} is not a {_short(section)} (required here)"
                         f"{self.where}")
                return
            cls = sub_cls
        if cls is None:
            self.add(path, "unknown_class",
                     f"schema set {self.schemas.name} has no facts about class {section!r}; "
                     f"its content cannot be checked")
            return
        self.section(value, cls, path)

    # ------------------------------------------------------------ quantities

    def quantity(self, value, q: Quantity, path: str) -> None:
        if q.shape:
            self.array(value, q, list(q.shape), path)
        else:
            self.scalar(value, q, path)

    def array(self, value, q: Quantity, shape: list, path: str) -> None:
        if not shape:
            self.scalar(value, q, path)
            return
        dim = shape[0]
        if not isinstance(value, list):
            self.add(path, "shape", f"expected a list of {self.expected(q)} for {q.name!r}, "
                                    f"found {show(value)}")
            return
        if isinstance(dim, int) and len(value) != dim:
            self.add(path, "shape", f"expected a list of {dim} values for {q.name!r}, "
                                    f"found {len(value)}")
        for i, item in enumerate(value):
            self.array(item, q, shape[1:], f"{path}[{i}]")

    def expected(self, q: Quantity) -> str:
        kind = q.kind
        if kind == "float":
            return (f"a plain number in {self.schemas.unit_symbol(q.unit)}" if q.unit
                    else "a number")
        if kind == "int":
            return (f"a whole number in {self.schemas.unit_symbol(q.unit)}" if q.unit
                    else "a whole number")
        return {
            "str": "text", "bool": "true or false",
            "datetime": "an ISO 8601 date-time with a time zone (e.g. 2025-03-02T09:00:00+01:00)",
            "enum": "one of the allowed values",
            "reference": "a reference string '../upload/archive/mainfile/<file>#data'",
            "json": "any JSON value", "any": "a JSON scalar",
        }[kind]

    def scalar(self, value, q: Quantity, path: str) -> None:
        kind = q.kind
        if isinstance(value, (list, dict)) and kind != "json":
            self.add(path, "shape", f"expected a single value ({self.expected(q)}) for "
                                    f"{q.name!r}, found {show(value)}")
            return
        if value is None and kind != "json":
            self.add(path, "type", f"expected {self.expected(q)} for {q.name!r}, found null "
                                   f"(leave the key out when there is no value)")
            return
        check = getattr(self, f"check_{kind}")
        check(value, q, path)

    def type_problem(self, value, q: Quantity, path: str) -> None:
        self.add(path, "type", f"expected {self.expected(q)} for {q.name!r}, "
                               f"found {show(value)}")

    def check_str(self, value, q, path) -> None:
        if not isinstance(value, str):
            self.type_problem(value, q, path)

    def check_bool(self, value, q, path) -> None:
        if not _is_bool(value):
            self.type_problem(value, q, path)

    def check_int(self, value, q, path) -> None:
        if _is_bool(value) or not isinstance(value, numbers.Integral):
            self.type_problem(value, q, path)
        elif q.type in ("int", "np.int32") and not (
                INT32_RANGE[0] <= int(value) <= INT32_RANGE[1]):
            self.add(path, "type", f"expected a whole number within 32-bit range for "
                                   f"{q.name!r}, found {value}")

    def check_float(self, value, q, path) -> None:
        if _is_bool(value) or not isinstance(value, numbers.Real):
            self.type_problem(value, q, path)
        elif not math.isfinite(float(value)):
            self.add(path, "type", f"expected a finite number for {q.name!r}, found {value}")

    def check_datetime(self, value, q, path) -> None:
        if not isinstance(value, str):
            self.add(path, "datetime", f"expected {self.expected(q)} for {q.name!r}, "
                                       f"found {show(value)}")
            return
        problem = datetime_problem(value)
        if problem:
            self.add(path, "datetime", f"{problem} for {q.name!r}: expected "
                                       f"{self.expected(q)}, found {show(value)}")

    def check_enum(self, value, q, path) -> None:
        if q.enum is None:  # values unknown (e.g. a schema without them): text is all we check
            self.check_str(value, q, path)
            return
        allowed = list(q.enum)
        if value not in allowed or not isinstance(value, str):
            self.add(path, "enum", f"{show(value)} is not allowed for {q.name!r}; "
                                   f"allowed values: {', '.join(map(repr, allowed))}")

    def check_reference(self, value, q, path) -> None:
        if not isinstance(value, str):
            self.add(path, "reference", f"expected {self.expected(q)} for {q.name!r}, "
                                        f"found {show(value)}")
            return
        problem = self.reference_problem(value, q.reference_to)
        if problem:
            self.add(path, "reference", f"{problem} for {q.name!r}, found {show(value)}")

    def check_json(self, value, q, path) -> None:
        return

    def check_any(self, value, q, path) -> None:
        if not isinstance(value, (str, int, float, bool)):
            self.type_problem(value, q, path)

    def reference_passes(self, ref, target: str) -> bool:
        """True when ``ref`` certainly is a sound reference to an entry of this upload
        (``../upload/archive/mainfile/<file>#data``); anything else takes the full check."""
        if ref.__class__ is not str or not ref.startswith(_UPLOAD_PREFIX) or \
                not ref.endswith("#data"):
            return False
        mainfile = ref[len(_UPLOAD_PREFIX):-len("#data")]
        if not mainfile or "#" in mainfile:
            return False
        if self.upload_mainfiles is not None and mainfile not in self.upload_mainfiles:
            return False
        pointed = self.upload_classes.get(mainfile)
        if pointed is not None:
            cls = self.schemas.get(pointed) if isinstance(pointed, str) else None
            return cls is None or cls.is_a(target)
        return True

    def reference_problem(self, ref: str, target: str | None = None) -> str | None:
        if ref.startswith("#"):
            return _fragment_problem(ref[1:], self.archive)
        match = _UPLOAD_REF.match(ref)
        if match is None:
            return ("expected a reference inside this upload, "
                    "'../upload/archive/mainfile/<file>#data' or '#/data/...'")
        mainfile, frag = match["mainfile"], match["frag"]
        if frag not in ("data", "/data") and not frag.startswith(("/data/", "data/")):
            return f"the reference must point at the entry's data ('#data'), not '#{frag}'"
        if self.upload_mainfiles is not None and mainfile not in self.upload_mainfiles:
            return (f"the reference names {mainfile!r}, which is not a file of this upload"
                    f"{close_matches(mainfile, self.upload_mainfiles)}")
        if frag in ("data", "/data") and target and mainfile in self.upload_classes:
            pointed = self.upload_classes[mainfile]
            cls = self.schemas.get(pointed) if isinstance(pointed, str) else None
            if cls is not None and not cls.is_a(target):
                return (f"the reference points at {mainfile!r}, a {cls.short_name}, "
                        f"but a {target.rsplit('.', 1)[-1]} is required here")
        return None


def _short(section: str) -> str:
    return section.rsplit(".", 1)[-1]


def _is_bool(value) -> bool:
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def _fragment_problem(fragment: str, archive) -> str | None:
    parts = [p for p in fragment.split("/") if p]
    if not parts or parts[0] != "data":
        return "a reference within the entry must start with '#/data'"
    node = archive
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return f"the path '#{fragment}' does not exist in this archive"
    return None


def validate_archive(archive, schemas: SchemaSet, *, mainfile: str | None = None,
                     upload_mainfiles=None) -> list[Problem]:
    """All problems of ``archive`` ({"data": {"m_def": ...}}) against ``schemas``.

    ``mainfile`` names the archive in messages; with ``upload_mainfiles`` given, references
    to ``../upload/archive/mainfile/<file>#data`` must name one of those files; when it is a
    dict ``{mainfile: data m_def}``, the file's class must also fit the reference's target.
    """
    return _Checker(archive, schemas, mainfile, upload_mainfiles).run()


def validate_archive_json(text: str | bytes, schemas: SchemaSet, *, mainfile: str | None = None,
                          upload_mainfiles=None) -> list[Problem]:
    """Parse an ``*.archive.json`` file's text and validate it (code ``json`` if unreadable).

    NaN and Infinity are refused: they are not JSON and NOMAD cannot read them.
    """
    where = f" in {mainfile}" if mainfile else ""

    def refuse(constant: str):
        raise ValueError(f"{constant} is not a JSON number")

    try:
        archive = json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        return [Problem("", "json", f"not valid JSON{where}: {exc.msg} at line {exc.lineno}, "
                                    f"column {exc.colno}")]
    except UnicodeDecodeError:
        return [Problem("", "json", f"not UTF-8 text{where}; save the file as UTF-8 JSON")]
    except ValueError as exc:
        return [Problem("", "json", f"not valid JSON{where}: {exc}")]
    return validate_archive(archive, schemas, mainfile=mainfile,
                            upload_mainfiles=upload_mainfiles)
