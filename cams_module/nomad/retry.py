"""When a NOMAD call is tried again: `RetryPolicy` (our settings) over urllib3's `Retry`.

urllib3 does the work under the `requests.Session`: idempotent methods are retried on lost
connections and on 429/502/503/504 with growing waits, `Retry-After` is honoured, and the
final answer is handed back (never an exception for a status) so that our typed errors are
raised from it. `NomadRetry` adds three things urllib3 lacks:
- a budget: no retry whose wait would bring the total waiting past `RetryPolicy.budget`
  (the caller then sees the answer, e.g. a 503 saying how long to wait);
- a refusal that says when to come back (429/503 with `Retry-After`) is retried for every
  method: NOMAD refused the request before doing anything;
- `Retry-After` in decimal seconds is read too; an unreadable one is ignored.
"""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
REFUSED_STATUSES = frozenset({429, 503})  # with Retry-After: nothing was done yet


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long one call may be retried."""

    attempts: int = 4          # tries in total, the first included
    backoff: float = 0.25      # the growing waits start here and double
    max_backoff: float = 8.0   # longest single wait
    budget: float = 60.0       # longest total waiting for one call

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before try number `attempt + 1` (for our own POST loops)."""
        if retry_after is not None:
            return max(0.0, retry_after)
        base = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * random.uniform(1.0, 1.25)

    def urllib3(self, *, any_method: bool = False) -> NomadRetry:
        """The urllib3 `Retry` doing this policy (`any_method`: POST too, for the login)."""
        return NomadRetry(
            total=self.attempts - 1, other=0, redirect=False,
            allowed_methods=None if any_method else IDEMPOTENT,
            status_forcelist=TRANSIENT_STATUSES, raise_on_status=False,
            respect_retry_after_header=True,
            backoff_factor=self.backoff / 2, backoff_max=self.max_backoff,
            backoff_jitter=self.backoff / 4, budget=self.budget,
        )


class RetriesSpent(MaxRetryError):
    """urllib3 gave up; `tries` says how many were sent."""

    def __init__(self, pool: Any, url: str | None, reason: Exception | None, tries: int):
        super().__init__(pool, url or "", reason)
        self.tries = tries


class NomadRetry(Retry):
    """urllib3's `Retry` with a waiting budget (see the module's docstring)."""

    def __init__(self, *args: Any, budget: float = 60.0, waited: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.waited = waited

    def new(self, **kwargs: Any) -> NomadRetry:
        kwargs.setdefault("budget", self.budget)
        kwargs.setdefault("waited", self.waited)
        return super().new(**kwargs)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if has_retry_after and status_code in REFUSED_STATUSES and self.total:
            return True
        return super().is_retry(method, status_code, has_retry_after)

    def get_retry_after(self, response: Any) -> float | None:
        seconds = parse_retry_after(response.headers.get("Retry-After"))
        return None if seconds is None else min(seconds, self.retry_after_max)

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None,
                  _pool: Any = None, _stacktrace: Any = None) -> NomadRetry:
        tries = len(self.history) + 1
        try:
            new = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError as spent:
            raise RetriesSpent(_pool, url, spent.reason, tries) from error
        pause = new.get_retry_after(response) if response is not None else None
        pause = pause or new.get_backoff_time()
        if new.waited + pause > new.budget:
            raise RetriesSpent(_pool, url, error, tries) from error
        new.waited += pause
        return new


def parse_retry_after(value: str | None) -> float | None:
    """A `Retry-After` value (seconds or an HTTP date) as seconds from now, or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def retry_after_seconds(response: requests.Response | None) -> float | None:
    """The answer's `Retry-After` header as seconds, or None."""
    return None if response is None else parse_retry_after(response.headers.get("Retry-After"))
