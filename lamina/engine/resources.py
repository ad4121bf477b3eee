"""Resource accounting for an environment whose memory is not in a cgroup: what the runtime reports."""

from __future__ import annotations

import math


class ReportedResources:
    """Max memory as the runtime measured it (peak RSS, getrusage), else the process's VmHWM;
    no out-of-memory signal of its own."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def max_memory_mb(self, reported_kb: int | None) -> int:
        if not reported_kb:
            reported_kb = peak_rss_kb(self.pid)
        return math.ceil(reported_kb / 1024) if reported_kb else 0

    def out_of_memory(self) -> bool:
        return False

    def release(self) -> None:
        pass


def peak_rss_kb(pid: int) -> int:
    """The process's peak resident set (VmHWM), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
