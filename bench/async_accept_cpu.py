"""CPU per accepted asynchronous invocation, in process: the figure a busy, shared machine skews least.

    python bench/async_accept_cpu.py [requests-per-round]

A real server creates a no-op function and stops; the same data dir is then served in this process and
signed Invoke (InvocationType=Event) requests go through the ASGI app 32 at a time (what 32 connections
bring in one loop turn), with delivery stopped. Prints the CPU time (user + system) per accepted event,
the minimum and the median of 7 rounds; uvicorn's HTTP handling is not included (bench/async_invoke.py
measures the whole server).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import uvloop
from _harness import machine, presign, start_lamina
from invoke_api import NOOP, create

BURST = 32


async def measure(server, path: str, headers: dict[str, str], per_round: int) -> list[float]:  # type: ignore[no-untyped-def]
    from lamina.config import Settings
    from lamina.server import Node

    node = Node(Settings.from_env(data_dir=server.data_dir, port=server.port))
    await node.start()
    await node.registry.endpoints["lambda"].provider.async_invoker.stop()  # the accept path alone
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"host", f"127.0.0.1:{server.port}".encode()))
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": raw, "client": ("127.0.0.1", 50000), "scheme": "http"}
    statuses: list[int] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def burst() -> None:
        await asyncio.gather(*(node.app(scope, receive, send) for _ in range(BURST)))

    for _ in range(100):  # warm
        await burst()
    rounds = []
    for _ in range(7):
        statuses.clear()
        start = time.process_time()
        for _ in range(per_round // BURST):
            await burst()
        rounds.append((time.process_time() - start) / len(statuses) * 1e6)
        if set(statuses) != {202}:
            raise RuntimeError(f"statuses {set(statuses)}")
    await node.stop()
    return rounds


def main(per_round: int) -> None:
    server = start_lamina()
    try:
        create(server.client("lambda"), "noop", NOOP)
        path = "/2015-03-31/functions/noop/invocations"
        headers = presign(server, "POST", path, b"{}", {"X-Amz-Invocation-Type": "Event"})
    finally:
        server.stop()
    rounds = uvloop.run(measure(server, path, headers, per_round))
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    print(f"CPU per accepted async event, in process, {BURST} at a time, delivery stopped: "
          f"min {min(rounds):.0f} us, median {statistics.median(rounds):.0f} us (7 rounds of {per_round})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3200)
