"""CAMS keeps naive local date-times; the process document needs ISO 8601 with a zone.

The facility's zone comes from env `CAMS_TIMEZONE` (an IANA name such as
"Europe/Rome"); without it the server's local zone is used.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo


def cams_zone() -> dt.tzinfo | None:
    """The facility's time zone, or None for the server's local zone."""
    name = os.environ.get("CAMS_TIMEZONE", "").strip()
    return ZoneInfo(name) if name else None


def to_iso(value: dt.datetime | dt.date | str | None) -> str | None:
    """A CAMS date-time as ISO 8601 with its offset (None stays None)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        zone = cams_zone()
        value = value.replace(tzinfo=zone) if zone else value.astimezone()
    return value.isoformat()


def from_iso(text: str | None) -> dt.datetime | None:
    """An ISO 8601 text as the naive local date-time CAMS stores."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not None:
        zone = cams_zone()
        value = value.astimezone(zone) if zone else value.astimezone()
        value = value.replace(tzinfo=None)
    return value


def to_timestamp(value: dt.datetime) -> float:
    """POSIX time of a naive CAMS date-time (in the facility's zone)."""
    return dt.datetime.fromisoformat(to_iso(value)).timestamp()


def now() -> dt.datetime:
    """The current naive local date-time, as CAMS stores it."""
    zone = cams_zone()
    return dt.datetime.now(zone).replace(tzinfo=None) if zone else dt.datetime.now()
