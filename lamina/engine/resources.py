"""Resource accounting for an environment whose memory is not in a cgroup: what the runtime reports."""

from __future__ import annotations

import math


class ReportedResources:
    """Max memory as the runtime measured it (peak RSS, getrusage); no out-of-memory signal of its own."""

    def max_memory_mb(self, reported_kb: int | None) -> int:
        return math.ceil(reported_kb / 1024) if reported_kb else 0

    def out_of_memory(self) -> bool:
        return False

    def release(self) -> None:
        pass
