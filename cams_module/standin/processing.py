"""Background processing of uploads: PENDING → RUNNING → SUCCESS/FAILURE, and publishing."""

from __future__ import annotations

import threading
import time

from .judge import Judge
from .model import Entry, Upload, entry_id_for, now
from .rawfiles import mainfiles
from .state import State


class Processor:
    """Runs upload processing and publishing in daemon threads."""

    def __init__(self, state: State, judge: Judge | None, judge_problem: str | None = None):
        self.state = state
        self.judge = judge
        self.judge_problem = judge_problem

    def start(self, upload: Upload) -> None:
        """Queue (re)processing of the upload's raw files."""
        with self.state.lock:
            generation = _pending(upload, "process_upload")
            upload.errors, upload.warnings = [], []
            upload.complete_time = None
            outcome = self.state.faults.take_processing_fault()
        threading.Thread(
            target=self._run, args=(upload, generation, outcome), daemon=True,
            name=f"process-{upload.upload_id}",
        ).start()

    def _current(self, upload: Upload, generation: int) -> bool:
        return (
            upload.generation == generation
            and self.state.uploads.get(upload.upload_id) is upload
        )

    def _run(self, upload: Upload, generation: int, outcome: str | None) -> None:
        delay = self.state.settings.processing_delay
        started = time.monotonic()
        time.sleep(min(0.05, delay / 4))
        files = mainfiles(upload.raw_dir)
        with self.state.lock:
            if not self._current(upload, generation):
                return
            upload.process_status = "RUNNING"
            upload.last_status_message = f"Processing {len(files)} mainfile(s)"
            old = upload.entries
            upload.entries = {}
            for mainfile in files:
                eid = entry_id_for(upload.upload_id, mainfile)
                created = old[eid].entry_create_time if eid in old else now()
                upload.entries[eid] = Entry(eid, upload.upload_id, mainfile, created)
        if outcome == "never_ends":
            return  # injected fault: stays RUNNING until the upload is deleted or reset
        results = self._judge_all(upload, files)
        # the configured delay covers the validation work (it does not add to it)
        time.sleep(max(0.0, started + delay - time.monotonic()))
        if outcome == "fails" or self.judge is None:
            reason = ("Injected fault: the processing of this upload failed"
                      if outcome == "fails" else
                      f"The stand-in cannot validate archives: {self.judge_problem}")
            self._fail(upload, generation, reason)
            return
        self._finish(upload, generation, results)

    def _fail(self, upload: Upload, generation: int, reason: str) -> None:
        """Upload-level failure (as when NOMAD's processing itself breaks)."""
        with self.state.lock:
            if not self._current(upload, generation):
                return
            upload.errors = [reason]
            upload.process_status = "FAILURE"
            upload.process_running = False
            upload.complete_time = now()
            upload.last_status_message = f"Process process_upload failed: {reason}"

    def _judge_all(self, upload: Upload, files: list[str]) -> dict[str, Entry]:
        results: dict[str, Entry] = {}
        mainfile_set = set(files)
        for mainfile in files:
            eid = entry_id_for(upload.upload_id, mainfile)
            entry = Entry(eid, upload.upload_id, mainfile)
            try:
                if self.judge is None:
                    raise RuntimeError("the schema validator is not available")
                verdict = self.judge.judge(
                    (upload.raw_dir / mainfile).read_bytes(), mainfile, mainfile_set
                )
                entry.m_def, entry.entry_name = verdict.m_def, verdict.entry_name
                entry.errors, entry.warnings = verdict.errors, verdict.warnings
            except Exception as exc:  # an unexpected crash fails this entry, like NOMAD
                entry.errors = [f"{mainfile}: processing crashed: {exc}"]
            entry.process_status = "FAILURE" if entry.errors else "SUCCESS"
            results[eid] = entry
        return results

    def _finish(self, upload: Upload, generation: int, results: dict[str, Entry]) -> None:
        with self.state.lock:
            if not self._current(upload, generation):
                return
            for eid, entry in results.items():
                previous = upload.entries.get(eid)
                if previous is not None:
                    entry.entry_create_time = previous.entry_create_time
                entry.complete_time = now()
            upload.entries = results
            upload.errors = []
            upload.process_status = "SUCCESS"
            upload.process_running = False
            upload.complete_time = now()
            upload.last_status_message = "Process process_upload completed successfully"
            if upload.publish_directly and not upload.published:
                if results and not upload.failed_entries():
                    upload.publish_time = now()
                    upload.last_status_message = "Published directly after processing"
                else:
                    upload.warnings.append(
                        "Not published directly: the upload has no entries or failed entries."
                    )

    def publish(self, upload: Upload, embargo_length: int | None) -> None:
        """Publish in the background (NOMAD runs publishing as a process, too)."""
        with self.state.lock:
            generation = _pending(upload, "publish_upload")
            if embargo_length is not None:
                upload.embargo_length = embargo_length
        threading.Thread(
            target=self._publish, args=(upload, generation), daemon=True,
            name=f"publish-{upload.upload_id}",
        ).start()

    def _publish(self, upload: Upload, generation: int) -> None:
        time.sleep(min(0.2, self.state.settings.processing_delay))
        with self.state.lock:
            if not self._current(upload, generation):
                return
            upload.publish_time = now()
            upload.process_status = "SUCCESS"
            upload.process_running = False
            upload.complete_time = now()
            upload.last_status_message = "Process publish_upload completed successfully"


def _pending(upload: Upload, process: str) -> int:
    """Mark the upload as waiting for ``process`` (NOMAD's words); the new generation."""
    upload.generation += 1
    upload.process_status = "PENDING"
    upload.process_running = True
    upload.current_process = process
    upload.last_status_message = "Waiting for available worker"
    return upload.generation
