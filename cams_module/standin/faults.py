"""Injected faults (test-only) and request statistics."""

from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

FAULT_KEYS = {
    "match", "times", "status", "retry_after", "detail", "drop_connection", "delay",
    "expire_tokens", "processing_never_ends", "processing_fails",
}


@dataclass
class Fault:
    """One fault applied to the next ``times`` requests matching ``match``.

    ``match`` is ``"METHOD /path"`` or ``"/path"`` relative to ``/api/v1``, with ``*``
    wildcards (fnmatch); no ``match`` means every API request.
    """

    match: str | None = None
    times: int = 1
    status: int | None = None
    retry_after: float | None = None
    detail: str | None = None
    drop_connection: bool | str = False  # True/"before": no answer; "after": act, then drop
    delay: float = 0.0
    processing_never_ends: bool = False
    processing_fails: bool = False

    @property
    def processing(self) -> str | None:
        """The processing outcome this fault forces, if it is a processing fault."""
        if self.processing_never_ends:
            return "never_ends"
        return "fails" if self.processing_fails else None

    def matches(self, method: str, path: str) -> bool:
        if not self.match:
            return True
        pattern = self.match.strip()
        if " " in pattern:
            want_method, pattern = pattern.split(None, 1)
            if want_method.upper() != method:
                return False
        return fnmatch.fnmatchcase(path, pattern)


def parse_faults(items: Any) -> list[dict[str, Any]]:
    """Check a fault list from ``POST /_standin/faults``; ValueError names the problem."""
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError("expected a JSON list of fault objects")
    for item in items:
        unknown = set(item) - FAULT_KEYS
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}; known: {sorted(FAULT_KEYS)}")
        if int(item.get("times", 1)) < 1:
            raise ValueError("'times' must be at least 1")
    return items


class FaultBook:
    """Pending faults, consumed as matching requests (or processing runs) arrive."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._processing: list[str] = []  # forced outcomes of the next processing runs
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            if fault.processing:
                self._processing += [fault.processing] * fault.times
            else:
                self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first pending fault matching this request (one use is consumed)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def take_processing_fault(self) -> str | None:
        """``"never_ends"``/``"fails"`` for the processing run starting now, else None."""
        with self._lock:
            return self._processing.pop(0) if self._processing else None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            items = [dict(vars(f)) for f in self._faults]
            items += [{f"processing_{p}": True, "times": 1} for p in self._processing]
            return items

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._processing.clear()


class Stats:
    """Counts HTTP requests per route template (``/_standin`` calls are not counted)."""

    def __init__(self) -> None:
        self._routes: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, route: str) -> None:
        with self._lock:
            self._routes[route] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"total_requests": sum(self._routes.values()), "routes": dict(self._routes)}

    def clear(self) -> None:
        with self._lock:
            self._routes.clear()
