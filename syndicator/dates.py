"""Dates: every timestamp in the store is UTC ISO-8601."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime, timedelta

from dateutil import parser as dateparser
from dateutil import tz

# zone abbreviations feeds still use (RFC 822 dates); dateutil knows none by itself
_ZONES = {
    name: tz.tzoffset(name, hours * 3600)
    for name, hours in {
        "UT": 0,
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
    }.items()
}
# what dateutil fills in for the parts a string leaves out: a year no date has,
# so "Monday", "May" or "10:00" are rejected (year check below) instead of
# becoming a date near today; a missing day or month is the 1st / January
_MISSING = datetime(1, 1, 1)


def to_utc_iso(value: str | datetime | time.struct_time | None) -> str | None:
    """Parse a date as pages, feeds and sitemaps write it; ``None`` if it is not one.

    A date without a zone is taken as UTC; a date without a time as midnight.

    >>> to_utc_iso("2026-11-18T09:15:00-05:00")
    '2026-11-18T14:15:00+00:00'
    """
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):
        # feedparser's *_parsed fields are already UTC
        value = datetime.fromtimestamp(calendar.timegm(value), UTC)
    elif isinstance(value, str):
        value = _parse(value.strip())
        if value is None:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not 1990 <= value.year <= 2200:
        return None
    return value.replace(microsecond=0).isoformat()


def to_local_iso(value: str | None) -> str | None:
    """A date that names its offset, as ISO-8601 with that offset kept: the
    time as its source printed it. ``None`` for a date without a zone (its
    offset is unknown) or no date.

    >>> to_local_iso("Mon, 16 Nov 2026 21:40:00 -0500")
    '2026-11-16T21:40:00-05:00'
    """
    if not value or not isinstance(value, str):
        return None
    parsed = _parse(value.strip())
    if parsed is None or parsed.tzinfo is None or to_utc_iso(parsed) is None:
        return None
    return parsed.replace(microsecond=0).isoformat()


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# How far ahead of our clock a source's date may be and still be believed:
# servers' clocks differ by seconds or minutes, so a later date is a mistake
# (a wrong time zone, a typo) or a post scheduled for later, never a fact.
FUTURE_SKEW = timedelta(hours=1)


def in_future(value: str | None, now: str | None = None, skew: timedelta = FUTURE_SKEW) -> bool:
    """Whether an ISO-8601 date lies more than ``skew`` after ``now`` (default:
    this moment). ``skew=timedelta(0)``: after ``now`` at all.

    >>> in_future("2099-01-01T00:00:00+00:00")
    True
    """
    if not value:
        return False
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    return when > moment + skew


def _parse(text: str) -> datetime | None:
    # ISO 8601, what pages' meta tags and sitemaps mostly write, is read in C;
    # dateutil (some 0.25 ms a date) reads the rest: RFC 822 feeds, prose dates
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dateparser.parse(text, default=_MISSING, tzinfos=_ZONES)
    except (ValueError, OverflowError, TypeError):
        return None


def at_most_now(value: str) -> str:
    """An ISO-8601 date, or this moment if the date lies after it."""
    return utc_now() if in_future(value, skew=timedelta(0)) else value
