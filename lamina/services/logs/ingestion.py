"""PutLogEvents' rules for a batch
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
events in chronological order, at most 10,000 of them and 1,048,576 bytes (each event counting its
message plus 26 bytes), spanning at most 24 hours; events more than 2 hours in the future, older
than 14 days or older than the group's retention are rejected and reported by index.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from lamina.services.logs.errors import InvalidParameterException

MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
DAY_MS = 86_400_000
FUTURE_MS = 2 * 3_600_000
PAST_MS = 14 * DAY_MS

_sequence = itertools.count(int(time.time() * 1000))


def sequence_token() -> str:
    """PutLogEvents no longer checks sequence tokens; it still returns one, a growing number."""
    return f"{next(_sequence):056d}"


def check_batch(log_events: list[dict[str, Any]], now_ms: int, retention_days: int | None
                ) -> tuple[list[tuple[int, str]], dict[str, int]]:
    """The events to store and PutLogEvents' rejectedLogEventsInfo."""
    stamps = [e["timestamp"] for e in log_events]
    if any(b < a for a, b in zip(stamps, stamps[1:])):
        raise InvalidParameterException("Log events in a single PutLogEvents request must be in chronological order.")
    if stamps and stamps[-1] - stamps[0] > DAY_MS:
        raise InvalidParameterException("The batch of log events in a single PutLogEvents request cannot span "
                                        "more than 24 hours.")
    size = sum(len(e["message"].encode()) + EVENT_OVERHEAD for e in log_events)
    if size > MAX_BATCH_BYTES:
        raise InvalidParameterException(f"Log events in a single PutLogEvents request must be smaller than "
                                        f"{MAX_BATCH_BYTES} bytes (the batch is {size}).")
    rejected: dict[str, int] = {}
    accepted: list[tuple[int, str]] = []
    expired_before = now_ms - retention_days * DAY_MS if retention_days else None
    for index, event in enumerate(log_events):
        ts = event["timestamp"]
        if ts > now_ms + FUTURE_MS:
            rejected.setdefault("tooNewLogEventStartIndex", index)
        elif expired_before is not None and ts < expired_before:
            rejected["expiredLogEventEndIndex"] = index
        elif ts < now_ms - PAST_MS:
            rejected["tooOldLogEventEndIndex"] = index
        else:
            accepted.append((ts, event["message"]))
    return accepted, rejected
