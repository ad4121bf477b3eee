"""An environment's log stream: its output line by line, framed by START / END / REPORT.

Format: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
(stream ``YYYY/MM/DD/[<version>]<environment id>``, one event per line, each
event's message ending in a newline as CloudWatch shows Lambda's).
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from dataclasses import dataclass

from lamina.engine.api import LogSink

# Lambda cuts log events at 256 KB (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
MAX_EVENT_BYTES = 256 * 1024
# X-Amz-Log-Result carries the last 4 KB of the invocation's log
# (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
TAIL_BYTES = 4096
# Lines kept for the tail: enough to fill TAIL_BYTES with short lines, bounded for chatty functions.
TAIL_LINES = 4096


def stream_name(version: str, environment_id: str, created: float) -> str:
    return time.strftime("%Y/%m/%d/", time.gmtime(created)) + f"[{version}]{environment_id}"


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_timestamp(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


@dataclass(slots=True)
class Report:
    """The figures of one invocation's REPORT line."""

    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None = None
    status: str | None = None  # None (success) | "timeout" | "error"
    error_type: str | None = None

    def line(self, request_id: str) -> str:
        if self.init_ms is None and self.status is None and self.error_type is None:  # a warm invocation
            return (f"REPORT RequestId: {request_id}\tDuration: {self.duration_ms:.2f} ms\t"
                    f"Billed Duration: {self.billed_ms} ms\tMemory Size: {self.memory_mb} MB\t"
                    f"Max Memory Used: {self.max_memory_mb} MB\t")
        parts = [
            f"REPORT RequestId: {request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {self.billed_ms} ms",
            f"Memory Size: {self.memory_mb} MB",
            f"Max Memory Used: {self.max_memory_mb} MB",
        ]
        if self.init_ms is not None:
            parts.append(f"Init Duration: {self.init_ms:.2f} ms")
        if self.status is not None:
            parts.append(f"Status: {self.status}")
        if self.error_type is not None:
            parts.append(f"Error Type: {self.error_type}")
        return "\t".join(parts) + "\t"


def billed_duration(duration_ms: float) -> int:
    """Lambda bills in 1 ms steps, rounding up (https://aws.amazon.com/lambda/pricing/)."""
    return max(1, math.ceil(duration_ms))


class EnvironmentLog:
    """Collects one environment's output from its pipe and writes it to the log sink."""

    def __init__(self, sink: LogSink, account: str, region: str, group: str, stream: str) -> None:
        self.sink = sink
        self.account = account
        self.region = region
        self.group = group
        self.stream = stream
        self._partial = bytearray()
        self._events: list[tuple[int, str]] = []  # not yet handed to the sink
        self._tail: list[str] = []  # everything since the previous invocation ended (LogType=Tail)
        self._in_invocation = False
        self._fd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # the runtime's output
    def attach(self, fd: int) -> None:
        """Read the environment's stdout/stderr pipe (non-blocking read end) as it is written."""
        os.set_blocking(fd, False)
        self._fd = fd
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(fd, self.drain)

    def drain(self) -> None:
        """Read whatever the runtime has written so far (called before END so no line is missed)."""
        fd = self._fd
        if fd is None:
            return
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._close_pipe()
                return
            self._feed(data)

    def _feed(self, data: bytes) -> None:
        partial = self._partial
        partial += data
        stamp = now_ms()
        start = 0
        while True:
            newline = partial.find(b"\n", start)
            if newline < 0:
                break
            self._add(stamp, bytes(partial[start:newline]))
            start = newline + 1
        del partial[:start]
        while len(partial) >= MAX_EVENT_BYTES:
            self._add(stamp, bytes(partial[:MAX_EVENT_BYTES]))
            del partial[:MAX_EVENT_BYTES]
        # Live logs: lines go on as they are printed, not when the invocation ends (the sink batches).
        self.flush()

    def _add(self, stamp: int, line: bytes) -> None:
        self._record(stamp, line.decode("utf-8", "replace") + "\n")

    def _record(self, stamp: int, message: str) -> None:
        self._events.append((stamp, message))
        self._tail.append(message)
        if len(self._tail) > TAIL_LINES:
            del self._tail[:-TAIL_LINES]

    def _close_pipe(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            self._loop.remove_reader(fd)
            os.close(fd)
        if self._partial:
            self._add(now_ms(), bytes(self._partial))
            self._partial.clear()

    # the platform's lines
    def system(self, message: str) -> None:
        self._record(now_ms(), message + "\n")

    def start_invocation(self, request_id: str, version: str) -> None:
        self.drain()
        self._in_invocation = True
        self.system(f"START RequestId: {request_id} Version: {version}")

    def end_invocation(self, request_id: str, report: Report, want_tail: bool) -> bytes:
        """Write END and REPORT, send the events on, and return the tail if wanted.

        The tail is what the environment logged since the previous invocation ended: on a cold start
        it includes the init output, as Lambda's does.
        """
        self.drain()
        stamp = now_ms()
        closing = (f"END RequestId: {request_id}\n", report.line(request_id) + "\n")
        self._events += ((stamp, closing[0]), (stamp, closing[1]))
        tail = b""
        if want_tail:
            tail = "".join(self._tail + list(closing)).encode()[-TAIL_BYTES:]
        self._tail.clear()
        self._in_invocation = False
        self.flush()
        return tail

    def flush(self) -> None:
        if self._events:
            events, self._events = self._events, []
            self.sink.write(self.account, self.region, self.group, self.stream, events)

    def close(self) -> None:
        self.drain()
        self._close_pipe()
        self.flush()
