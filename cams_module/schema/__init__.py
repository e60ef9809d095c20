"""Schema sets (shipped snapshots, JSON Schema import/export) and the one archive validator.

    from cams_module.schema import load_schema_set, validate_archive, Problem, SchemaSet
"""

from .model import ClassDef, Quantity, SchemaSet, SubSection
from .snapshot import load_schema_set, schema_set_names
from .validate import CODES, Problem, validate_archive, validate_archive_json

__all__ = [
    "CODES",
    "ClassDef",
    "Problem",
    "Quantity",
    "SchemaSet",
    "SubSection",
    "load_schema_set",
    "schema_set_names",
    "validate_archive",
    "validate_archive_json",
]
