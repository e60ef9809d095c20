"""Where the CPU went during a burst: every process on the machine, grouped by role.

A burst of 50 presses lasts about 100 ms on 2 cores, so its latency swings with whatever
else runs in that moment (a worker's export, PostgreSQL's autovacuum, another tenant of
the host). The CPU time each role used is steadier, and says what to make cheaper: the
kernel's per-thread run time (`/proc/PID/task/TID/schedstat`, nanoseconds; the process's
clock ticks in `/proc/PID/stat` where threads ended meanwhile) of every process, read
right before and right after the burst, summed per role — the CAMS web processes, the
NOMAD workers, the PostgreSQL server processes, the NOMAD stand-in (each
known by the process that leads it), the benchmark's own client, and everything else on
the machine. Linux only (elsewhere: nothing measured).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

PROC = Path("/proc")
TICK_S = 1 / os.sysconf("SC_CLK_TCK")


class Sample(NamedTuple):
    """One process as a snapshot saw it."""

    role: str
    ran_ns: int  # run time of its threads alive now (schedstat, nanoseconds)
    ticks_ns: float  # run time of the whole process, ended threads included (clock ticks)
    started_s: float  # when it started, seconds since boot


def _stat(pid: int) -> tuple[tuple[int, int, int], float, float]:
    """((pid, parent pid, session id), the process's CPU in clock ticks as nanoseconds,
    when it started in seconds since boot) of process `pid`."""
    fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    ticks = (int(fields[11]) + int(fields[12])) * TICK_S * 1e9
    return (pid, int(fields[1]), int(fields[3])), ticks, int(fields[19]) * TICK_S


def uptime() -> float:
    """Seconds since boot, as /proc/uptime tells."""
    return float((PROC / "uptime").read_text().split()[0])


def snapshot(leaders: dict[int, str]) -> dict[int, Sample]:
    """Every process by pid, its role that of the leader (in `leaders`: pid -> role) that
    is the process itself, its parent or its session; "client" for this process;
    "other" for the rest."""
    found: dict[int, Sample] = {}
    me = os.getpid()
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            ids, ticks, started = _stat(int(entry.name))
            ran = sum(int((thread / "schedstat").read_text().split()[0])
                      for thread in (entry / "task").iterdir())
        except (OSError, ValueError, IndexError):  # ended meanwhile
            continue
        role = "client" if ids[0] == me else next(
            (leaders[i] for i in ids if i in leaders), "other")
        found[ids[0]] = Sample(role, ran, ticks, started)
    return found


@dataclass
class CpuMeter:
    """CPU milliseconds per role between `start()` and `stop()`."""

    leaders: dict[int, str] = field(default_factory=dict)  # pid -> role (see snapshot)
    used_ms: dict[str, float] = field(default_factory=dict)
    _before: dict[int, Sample] = field(default_factory=dict)
    _since: float = 0.0

    def start(self) -> None:
        """Read every process's run time now."""
        self._since = uptime() - 0.01  # /proc's start times are in clock ticks
        self._before = snapshot(self.leaders)

    def stop(self) -> None:
        """Add what each role ran since `start()` to `used_ms` (a process started
        meanwhile counts from zero; one that was there but unseen is left out)."""
        for pid, now in snapshot(self.leaders).items():
            before = self._before.get(pid)
            if before is not None:  # a thread that ended meanwhile shows in ticks only
                ran = max(now.ran_ns - before.ran_ns, now.ticks_ns - before.ticks_ns)
            elif now.started_s < self._since:
                continue
            else:
                ran = now.ran_ns
            if ran > 0:
                self.used_ms[now.role] = self.used_ms.get(now.role, 0.0) + ran / 1e6

    def server_ms(self) -> float:
        """What the CAMS side used: web processes, workers and PostgreSQL together."""
        return sum(self.used_ms.get(role, 0.0) for role in ("web", "workers", "postgres"))
