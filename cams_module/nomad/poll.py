"""How often to ask NOMAD whether processing has finished."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class PollPolicy:
    """Pauses between status polls: short at first, growing by `growth` up to `cap`."""

    first: float = 0.2
    growth: float = 1.25
    cap: float = 5.0

    def intervals(self) -> Iterator[float]:
        """Endless pauses in seconds: first, first*growth, ... capped."""
        pause = self.first
        while True:
            yield pause
            pause = min(self.cap, pause * self.growth)
