"""Asynchronous invocation: events accepted per second (durable writes) and end-to-end delivery rate.

    python bench/async_invoke.py [seconds]

Acceptance: wrk with 32 connections replays a pre-signed Invoke (InvocationType=Event); each 202 means the
event is in SQLite. Delivery: how fast the async invoker drains that backlog through a no-op function,
read from the queue table's depth. The machine may be shared: the server's own CPU time per accepted event
(from /proc, including the deliveries it made meanwhile) is the figure that does not depend on neighbours.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

from _harness import machine, presign, start_lamina
from invoke_api import NOOP, create, wrk


def depth(server) -> int:  # type: ignore[no-untyped-def]
    with sqlite3.connect(f"file:{server.data_dir / 'lamina.db'}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM queue_items WHERE queue='lambda-async'").fetchone()[0]


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, all its threads (not its children: the functions' environments)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(seconds: int) -> None:
    server = start_lamina()
    try:
        client = server.client("lambda")
        create(client, "noop", NOOP)
        path = "/2015-03-31/functions/noop/invocations"
        headers = presign(server, "POST", path, b"{}", {"X-Amz-Invocation-Type": "Event"})
        client.invoke(FunctionName="noop", Payload=b"{}")  # warm: the runtime tree is built on first use
        print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
        cpu_before = cpu_seconds(server.process.pid)
        result = wrk(server, path, headers, b"{}", 32, seconds)
        server_cpu = cpu_seconds(server.process.pid) - cpu_before
        accepted_at = time.monotonic()
        backlog = depth(server)
        accepted = result["rate"] * seconds
        print(f"async invokes accepted/s, 32 connections (wrk, {seconds} s): {result['rate']:.0f}/s, "
              f"non-2xx {result['errors']}, wrk CPU {result['wrk_cpu_share']:.2f} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"  server CPU {server_cpu / seconds:.2f} cores = {server_cpu / accepted * 1e6:.0f} us per accepted event "
              f"(including the {accepted - backlog:.0f} events it delivered meanwhile)")
        print("  wrk latency distribution: " + " | ".join(result["latency"].split("\n")))
        start_depth, start = backlog, time.monotonic()
        while backlog > 0 and time.monotonic() - start < 600:
            time.sleep(0.5)
            backlog = depth(server)
        elapsed = time.monotonic() - start
        print(f"delivery of the backlog: {start_depth - backlog} events in {elapsed:.1f} s = "
              f"{(start_depth - backlog) / elapsed:.0f} events/s end to end "
              f"(backlog measured {time.monotonic() - accepted_at:.1f} s after acceptance ended)")
    finally:
        server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
