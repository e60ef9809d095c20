"""Many export zips in one go, each as safe as write_zip, without waiting for the disk after each.

Used by `cams-nomad export FILE -o FOLDER`. Each zip is built on the calling thread; a
small pool of threads writes it beside its target, fsyncs and renames it while the caller
maps the next process (fsync releases the GIL), and :meth:`ZipBatch.finish` waits for all
of them, fsyncs each folder once and only then reports the zips written. A failure names
the process; nothing half-written is ever left under a zip's name, and a crash at any
moment leaves at most whole zips and hidden ``.NAME.*.tmp`` files.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cams_module.export.zipping import ZipWriteError, archives_zip, durable_write, sync_folder


@dataclass(frozen=True)
class ZipFailure:
    """Zips of the batch that were not written: which process, which zip (or the folder,
    when it could not be fsync'd: then every zip of the batch in it), why."""

    name: str
    path: Path
    error: OSError

    def covers(self, target: Path) -> bool:
        """Whether the zip ``target`` is among those not written."""
        return target == self.path or target.parent == self.path

    def __str__(self) -> str:
        return f"process {self.name}: {self.error}"


class BatchWriteError(OSError):
    """Some zips of a batch were not written; ``failures`` says which and why. The zips of
    the batch it does not cover are on disk."""

    def __init__(self, failures: list[ZipFailure], total: int):
        self.failures, self.total = failures, total
        self.message = (f"not every zip of the {total} was written: "
                        + "; ".join(str(f) for f in failures))
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class ZipBatch:
    """Write export zips durably in the background; use as a context manager and call
    :meth:`finish` (or leave the ``with`` block normally) to know they are on disk.

    ``workers`` threads write; at most ``in_flight`` built zips wait for them (the caller
    waits beyond that), and nothing is kept of a zip once written but its folder, so memory
    stays flat however many processes the batch holds.
    """

    def __init__(self, workers: int = 2, in_flight: int = 4):
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="cams-nomad-zip")
        self._slots = threading.BoundedSemaphore(in_flight)
        self._lock = threading.Lock()
        self._pending: dict[Path, Future] = {}
        self._failures: list[ZipFailure] = []
        self._unexpected: list[BaseException] = []
        self._folders: set[Path] = set()
        self._finished = False
        self.count = 0  #: zips added
        self.waited = 0.0  #: seconds the caller spent waiting for the disk

    def add(self, result: Any, path: Path | str, name: str) -> None:
        """Queue the zip of ``result`` (an ExportResult or name -> archive dict) for
        ``path``; ``name`` (the process) names it in a failure. ValueError, nothing
        queued, for an archive that cannot be written as JSON."""
        if self._finished:
            raise RuntimeError("this batch is finished")
        archives = result if isinstance(result, dict) else result.archives
        image = archives_zip(archives)
        target = Path(path)
        start = time.perf_counter()
        with self._lock:
            earlier = self._pending.get(target)
        if earlier is not None:  # the same zip twice: the later one must win, as in order
            wait([earlier])
        self._slots.acquire()
        self.waited += time.perf_counter() - start
        with self._lock:
            try:
                self._pending[target] = self._pool.submit(self._write, image, target, name)
            except BaseException:
                self._slots.release()
                raise
            self.count += 1

    def _write(self, image: bytes, target: Path, name: str) -> None:
        try:
            durable_write(image, target)
            failure = None
        except OSError as exc:  # ZipWriteError: nothing was left at the target
            failure = ZipFailure(name, target, exc)
        except BaseException as exc:  # not the disk: raised again by finish
            failure = ZipFailure(name, target, OSError(str(exc)))
            self._unexpected.append(exc)
        finally:
            self._slots.release()
        with self._lock:
            del self._pending[target]  # the later zip of a target waits for this one
            if failure is None:
                self._folders.add(target.parent)
            else:
                self._failures.append(failure)

    def finish(self) -> None:
        """Wait until every zip is written and its folder fsync'd. BatchWriteError saying
        which (by process) and why when some are not; the others are then on disk."""
        if self._finished:
            raise RuntimeError("this batch is finished")
        self._finished = True
        start = time.perf_counter()
        self._pool.shutdown(wait=True)
        if self._unexpected:
            raise self._unexpected[0]
        for folder in sorted(self._folders):
            try:
                sync_folder(folder, folder)
            except ZipWriteError as exc:
                cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
                self._failures.append(ZipFailure(
                    f"every process written to {folder}", folder,
                    OSError(cause.errno, f"could not make the zips in {folder} durable "
                                         f"({cause.strerror or cause}); export them again")))
        self.waited += time.perf_counter() - start
        if self._failures:
            raise BatchWriteError(sorted(self._failures, key=lambda f: str(f.path)),
                                  self.count)

    def __enter__(self) -> ZipBatch:
        return self

    def __exit__(self, kind: type | None, *rest: object) -> None:
        if kind is None:
            if not self._finished:
                self.finish()
            return
        # Leaving on an error: let the writes end (each is whole or absent), report nothing.
        self._finished = True
        self._pool.shutdown(wait=True)
