"""Process document → NOMAD archives → deterministic zip, with its export report.

Knows nothing of HTTP or jam.py. `export_process` and `write_zip` (`ZipBatch` for many
zips) are the public face.
"""

from cams_module.cams2nomad.profile import DEFAULT_PROFILE
from cams_module.export.archives import ExportResult, export_process, step_reference
from cams_module.export.errors import ExportError, InputProblem
from cams_module.export.report import ExportReport
from cams_module.export.zip_batch import BatchWriteError, ZipBatch
from cams_module.export.zipping import ZipWriteError, archive_bytes, write_zip

__all__ = [
    "BatchWriteError",
    "DEFAULT_PROFILE",
    "ExportError",
    "ExportReport",
    "ExportResult",
    "InputProblem",
    "ZipBatch",
    "ZipWriteError",
    "archive_bytes",
    "export_process",
    "step_reference",
    "write_zip",
]
