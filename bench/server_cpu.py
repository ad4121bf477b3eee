"""Server CPU per request for the synchronous invoke paths: the signed Lambda Invoke API and a function URL.

    python bench/server_cpu.py [requests] [--profile DIR]

Wall-clock throughput is noisy on a shared machine; the CPU time the ``lamina serve`` process itself
spends per request is not (it excludes the function's own process and wrk). Each path is warmed up, then
wrk (-t2 -c32) sends requests for a few seconds while the server's utime+stime (/proc/<pid>/stat) is
read before and after; the figure is the difference over the number of requests wrk completed.
With ``--profile DIR``, py-spy records the server during a second run of each path into DIR.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile

from _harness import machine, presign, start_lamina

from tests.functions import ROLE, python_zip
from tests.http_clients import allow_public_url

NOOP = "def handler(event, context):\n    return None\n"
SMALL_JSON = ('def handler(event, context):\n    return {"statusCode": 200, "headers": {"content-type": '
              '"application/json"}, "body": "{\\"ok\\": true}"}\n')
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat(5))


def wrk_script(method: str, headers: dict[str, str], body: bytes) -> str:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    lines = [f'wrk.method = "{method}"', f"wrk.body = {json.dumps(body.decode())}"]
    lines += [f'wrk.headers["{k}"] = {json.dumps(v)}' for k, v in headers.items() if k.lower() != "content-length"]
    script.write("\n".join(lines) + "\n")
    script.close()
    return script.name


def warm_up(url: str, script: str, seconds: int) -> None:
    """Start one environment per connection (cold starts can outlast a short run on a loaded machine)."""
    subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", script, url], capture_output=True, check=True)


def measure(pid: int, url: str, script: str, seconds: int) -> tuple[float, float, int]:
    """(server µs of CPU per request, requests/s, non-2xx) of one wrk run."""
    before = cpu_seconds(pid)
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "-s", script, url],
                         capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(pid) - before
    count = int(re.search(r"(\d+) requests in", out).group(1))
    if not count:
        raise RuntimeError(f"wrk completed no request in {seconds} s (a stalled machine?):\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return used / count * 1e6, rate, int(non2xx.group(1)) if non2xx else 0


def run(label: str, pid: int, url: str, script: str, seconds: int, profile: str | None) -> None:
    warm_up(url, script, 3)
    figures = [measure(pid, url, script, seconds) for _ in range(3)]
    per_request = sorted(f[0] for f in figures)
    runs = ", ".join(f"{v:.0f}" for v in per_request)
    print(f"{label}: server CPU per request {per_request[1]:.0f} µs (runs {runs}); "
          f"{max(f[1] for f in figures):.0f} req/s best; non-2xx {sum(f[2] for f in figures)}")
    if profile:
        os.makedirs(profile, exist_ok=True)
        out = os.path.join(profile, f"{label.split()[0].lower()}.txt")
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--format", "raw", "-o", out,
                                "--duration", str(seconds), "--rate", "200", "--nonblocking"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        measure(pid, url, script, seconds)
        spy.wait()


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5
    profile = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    server = start_lamina()
    try:
        client = server.client("lambda")
        for name, source in (("noop", NOOP), ("small-json", SMALL_JSON)):
            client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                                   Code={"ZipFile": python_zip(source)})
            client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
        url = client.create_function_url_config(FunctionName="small-json", AuthType="NONE")["FunctionUrl"]
        url_host = url.split("/")[2]
        allow_public_url(client, "small-json")
        print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
        path = "/2015-03-31/functions/noop/invocations"
        invoke = wrk_script("POST", presign(server, "POST", path, b"{}"), b"{}")
        url = wrk_script("GET", {"Host": url_host}, b"")
        try:
            run("Invoke API (signed, no-op)", server.process.pid, server.endpoint + path, invoke, seconds, profile)
            run("function URL (small JSON)", server.process.pid, server.endpoint + "/", url, seconds, profile)
        finally:
            os.unlink(invoke)
            os.unlink(url)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
