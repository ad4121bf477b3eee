"""Log ingestion: lines per second from a chatty function, end to end, and through PutLogEvents.

    python bench/log_ingestion.py [--invocations 20] [--lines 10000]

End to end: a function prints ``--lines`` lines per invocation; the clock runs from the first
invoke until the last line is readable through FilterLogEvents. Baseline, same run: the same
function writing the same lines to /dev/null (what the invocations cost without a log pipeline).
PutLogEvents: batches of 10,000 events of the same size, sequential, acknowledged (committed).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
import zipfile

from _harness import machine, start_lamina

ROLE = "arn:aws:iam::000000000000:role/bench"
SOURCE = """
import os, sys

def handler(event, context):
    out = open(os.devnull, "w") if event.get("quiet") else sys.stdout
    tag = event["tag"]
    for i in range(event["lines"]):
        out.write(f"{tag} line {i:06d} of a chatty function, with some padding to look like a real log line\\n")
    out.write(f"{tag} done\\n")
    out.flush()
"""


def package(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def run(lam, logs, name: str, invocations: int, lines: int, quiet: bool) -> float:  # type: ignore[no-untyped-def]
    tag = f"run{time.time_ns()}"
    start = time.perf_counter()
    since = 0
    for index in range(invocations):
        payload = {"lines": lines, "tag": f"{tag}-{index}", "quiet": quiet}
        since = int(time.time() * 1000)
        lam.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    if not quiet:
        # Readers see every line written before they ask (the store's buffer is flushed first), so one
        # FilterLogEvents over the last invocation finds its last line; the poll is only a safety net.
        marker = f'"{tag}-{invocations - 1} done"'
        while not logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern=marker,
                                         startTime=since)["events"]:
            time.sleep(0.005)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invocations", type=int, default=20)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()
    server = start_lamina()
    try:
        lam, logs = server.client("lambda"), server.client("logs")
        lam.create_function(FunctionName="chatty", Runtime="python3.11", Role=ROLE, Handler="app.handler",
                            Code={"ZipFile": package(SOURCE)}, MemorySize=512, Timeout=60)
        lam.get_waiter("function_active_v2").wait(FunctionName="chatty", WaiterConfig={"Delay": 1})
        run(lam, logs, "chatty", 2, 1000, False)  # warm up: an environment, the log group
        total = args.invocations * (args.lines + 1)
        chatty, quiet = [], []
        for _ in range(3):
            chatty.append(run(lam, logs, "chatty", args.invocations, args.lines, False))
            quiet.append(run(lam, logs, "chatty", args.invocations, args.lines, True))
        best_chatty, best_quiet = min(chatty), min(quiet)
        print(f"machine: {machine()}")
        print(f"function logs, end to end ({args.invocations} invocations x {args.lines + 1} lines, best of 3): "
              f"{total / best_chatty:,.0f} lines/s (runs: {', '.join(f'{total / t:,.0f}' for t in chatty)})")
        print(f"baseline, same lines to /dev/null: {total / best_quiet:,.0f} lines/s; "
              f"ratio logged/baseline {best_quiet / best_chatty:.2f}")

        logs.create_log_group(logGroupName="bench")
        logs.create_log_stream(logGroupName="bench", logStreamName="s")
        message = "x" * 70  # 10,000 events of 74 bytes + 26 of overhead: under the 1 MB batch limit
        batches = []
        for batch in range(20):
            now = int(time.time() * 1000)
            events = [{"timestamp": now, "message": f"{batch:03d} {message}"} for _ in range(10_000)]
            start = time.perf_counter()
            logs.put_log_events(logGroupName="bench", logStreamName="s", logEvents=events)
            batches.append(time.perf_counter() - start)
        print(f"PutLogEvents, 10,000-event batches, sequential: {10_000 / statistics.median(batches):,.0f} lines/s "
              f"(median batch {statistics.median(batches) * 1000:.0f} ms, n={len(batches)})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
