"""Timestamp formats of the AWS protocols (iso8601, unixTimestamp, rfc822)."""

from __future__ import annotations

import calendar
import datetime as dt
from email.utils import formatdate, parsedate_to_datetime

UTC = dt.timezone.utc


def to_datetime(value: object) -> dt.datetime:
    """Accept what providers and clients send: datetime, epoch seconds, ISO 8601 or RFC 822 text."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            return dt.datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            pass
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
        try:
            return parsedate_to_datetime(text).astimezone(UTC)
        except (TypeError, ValueError, IndexError):
            pass
    raise ValueError(f"not a timestamp: {value!r}")


def to_epoch(value: object) -> float | int:
    when = to_datetime(value)
    seconds = calendar.timegm(when.utctimetuple())
    if when.microsecond:
        return round(seconds + when.microsecond / 1e6, 3)
    return seconds


def to_iso8601(value: object) -> str:
    when = to_datetime(value).astimezone(UTC)
    if when.microsecond:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_rfc822(value: object) -> str:
    return formatdate(calendar.timegm(to_datetime(value).utctimetuple()), usegmt=True)


def format_timestamp(value: object, fmt: str) -> object:
    fmt = fmt.lower()
    if fmt == "unixtimestamp":
        return to_epoch(value)
    if fmt == "rfc822":
        return to_rfc822(value)
    return to_iso8601(value)
