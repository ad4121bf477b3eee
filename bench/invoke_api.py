"""Invoke through the signed Lambda API: warm latency, throughput with 32 clients, cold starts.

    python bench/invoke_api.py

Requests are signed once with SigV4 and replayed, so the client's signing cost is not measured while
the server still verifies every signature. Throughput uses wrk (Debian package) and reports wrk's own
CPU use, to show the load generator is not the bottleneck.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import statistics
import subprocess
import tempfile
import zipfile

from _harness import machine, percentile, presign, start_lamina, summary, timed_requests

from tests.functions import ROLE  # the execution role start_lamina creates

NOOP = "def handler(event, context):\n    return None\n"
BOTO = "import boto3\n\ndef handler(event, context):\n    return None\n"


def package(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def create(client, name: str, source: str) -> None:  # type: ignore[no-untyped-def]
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": package(source)})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})


def wrk(server, path: str, headers: dict[str, str], body: bytes, connections: int, seconds: int) -> dict:  # type: ignore[no-untyped-def]
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body.decode())}"]
    lines += [f'wrk.headers["{k}"] = {json.dumps(v)}' for k, v in headers.items() if k.lower() != "content-length"]
    script.write("\n".join(lines) + "\n")
    script.close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name,
                          server.endpoint + path], capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "wrk_cpu_share": cpu / seconds, "errors": int(non2xx.group(1)) if non2xx else 0,
            "latency": re.search(r"Latency Distribution(.*?)\n\s*\d+ requests", out, re.S).group(1).strip()}


def main() -> None:
    server = start_lamina()
    try:
        client = server.client("lambda")
        create(client, "noop", NOOP)
        path = "/2015-03-31/functions/noop/invocations"
        headers = presign(server, "POST", path, b"{}")
        timed_requests(server, "POST", path, b"{}", headers, 500)  # warm up
        warm = timed_requests(server, "POST", path, b"{}", headers, 5000)
        print(f"machine: {machine()}")
        print(f"warm invoke, signed API, 1 client: {summary(warm)}")

        wrk(server, path, headers, b"{}", 32, 3)  # warm up: one environment per connection
        result = wrk(server, path, headers, b"{}", 32, 10)
        print(f"no-op invokes/s, 32 connections (wrk, 10 s): {result['rate']:.0f}/s, non-2xx {result['errors']}, "
              f"wrk CPU {result['wrk_cpu_share']:.2f} cores")
        print("  wrk latency distribution: " + " | ".join(result["latency"].split("\n")))

        for label, source in (("no imports", NOOP), ("import boto3", BOTO)):
            colds = []
            for index in range(20):
                name = f"cold-{label.replace(' ', '-')}-{index}"
                create(client, name, source)
                cold_path = f"/2015-03-31/functions/{name}/invocations"
                cold_headers = presign(server, "POST", cold_path, b"{}")
                colds.append(timed_requests(server, "POST", cold_path, b"{}", cold_headers, 1)[0])
            print(f"cold start ({label}), first invoke of a new environment: p50 {statistics.median(colds):.1f} ms  "
                  f"p90 {percentile(colds, 0.9):.1f} ms (n={len(colds)})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
