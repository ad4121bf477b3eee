"""The floor under a cold start: fork costs of an interpreter loaded as a zygote is.

    python bench/fork_floor.py '["json", "boto3"]'

Imports the named modules (a zygote's preloads, see lamina/engine/sandbox.py) and nothing of lamina, then
prints as JSON the p50 in ms of a fork, and of a fork into new mount/PID/IPC/UTS namespaces followed by a
fork there (needs root). ``bench/engine_bench.py primitives`` runs it once per Python zygote.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import statistics
import sys
import time

NAMESPACES = 0x00020000 | 0x20000000 | 0x08000000 | 0x04000000  # NEWNS | NEWPID | NEWIPC | NEWUTS


def fork_ms() -> float:
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    elapsed = (time.perf_counter() - started) * 1000
    os.waitpid(pid, 0)
    return elapsed


def fork_into_namespaces_ms(libc: ctypes.CDLL) -> float:
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        if libc.unshare(NAMESPACES) != 0:
            os._exit(1)
        if os.fork() == 0:
            os.write(write_end, b"x")
        os._exit(0)
    os.read(read_end, 1)
    elapsed = (time.perf_counter() - started) * 1000
    os.waitpid(pid, 0)
    os.close(read_end)
    os.close(write_end)
    return elapsed


def main(preload: list[str]) -> None:
    for name in preload:
        importlib.import_module(name)
    libc = ctypes.CDLL(None, use_errno=True)
    forks = [fork_ms() for _ in range(200)]
    into_namespaces = [fork_into_namespaces_ms(libc) for _ in range(200)]
    print(json.dumps({"fork": statistics.median(forks), "fork+namespaces+fork": statistics.median(into_namespaces)}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
