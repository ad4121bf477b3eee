"""``lamina logs``: a function's log group in the terminal, like ``aws logs tail`` (AWS CLI v2).

It is a client of the node's CloudWatch Logs API (FilterLogEvents on ``/aws/lambda/<function>``),
with the node's endpoint and root credentials from the data dir; ``--follow`` asks again every
second for events after the last one shown, as ``aws logs tail --follow`` does.
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any, Callable, TextIO

SINCE = re.compile(r"^(\d+)([smhdw])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
COLOURS = {"time": "\033[2m", "stream": "\033[36m", "platform": "\033[35m", "error": "\033[31m",
           "warn": "\033[33m", "reset": "\033[0m"}
POLL_SECONDS = 1.0


def since_ms(text: str, now: float | None = None) -> int:
    """``10m``, ``2h``, ``1d`` ... before now, in epoch milliseconds."""
    found = SINCE.match(text.strip())
    if not found:
        raise ValueError(f"--since takes a number and a unit (s, m, h, d, w), e.g. 10m; not {text!r}")
    return int(((now or time.time()) - int(found.group(1)) * UNITS[found.group(2)]) * 1000)


def render(event: dict[str, Any], colour: bool) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(event["timestamp"] / 1000))
    stamp += f".{event['timestamp'] % 1000:03d}Z"
    stream = event["logStreamName"].rsplit("]", 1)[-1][:8]
    message = event["message"].rstrip("\n").replace("\r", "\n    ")
    if not colour:
        return f"{stamp} {stream} {message}"
    if message.startswith(("START RequestId", "END RequestId", "REPORT RequestId", "INIT_START")):
        tint = COLOURS["platform"]
    elif "[ERROR]" in message or "Traceback" in message or '"level":"ERROR"' in message:
        tint = COLOURS["error"]
    elif "[WARNING]" in message or "[WARN]" in message:
        tint = COLOURS["warn"]
    else:
        tint = ""
    reset = COLOURS["reset"]
    body = f"{tint}{message}{reset}" if tint else message
    return f"{COLOURS['time']}{stamp}{reset} {COLOURS['stream']}{stream}{reset} {body}"


def tail(client: Any, function: str, start_ms: int, pattern: str | None, follow: bool, out: TextIO = sys.stdout,
         colour: bool | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    group = function if function.startswith("/") else f"/aws/lambda/{function}"
    colour = out.isatty() if colour is None else colour
    seen: dict[str, int] = {}  # event id -> timestamp, for events at the boundary of the next ask
    start = start_ms
    while True:
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start}
        if pattern:
            kwargs["filterPattern"] = pattern
        try:
            pages = client.get_paginator("filter_log_events").paginate(**kwargs)
            events = [e for page in pages for e in page["events"]]
        except client.exceptions.ResourceNotFoundException:
            if not follow:
                print(f"lamina: no log group {group} (the function has not logged anything yet)", file=sys.stderr)
                return 1
            events = []
        for event in events:
            if event["eventId"] in seen:
                continue
            seen[event["eventId"]] = event["timestamp"]
            out.write(render(event, colour) + "\n")
            start = max(start, event["timestamp"])
        out.flush()
        if not follow:
            return 0
        # The next ask starts at the last timestamp shown (more events may share it): forget the older ids.
        seen = {ident: ts for ident, ts in seen.items() if ts >= start}
        sleep(POLL_SECONDS)
