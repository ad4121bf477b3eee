"""Function URL and HTTP API route throughput and latency under wrk, with a bare uvicorn hello-world
measured in the same run as the ceiling.

    python bench/http_triggers.py [seconds]

A Python function returns a small JSON body; wrk (Debian package) drives 64 connections with 2
threads against (1) the function URL (host form), (2) an HTTP API $default route (quick create),
(3) uvicorn serving a constant JSON body from a bare ASGI app on the same loop/parser lamina uses.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
import time

from _harness import machine, start_lamina

from tests.functions import ROLE, python_zip
from tests.http_clients import allow_api_gateway, allow_public_url
from tests.lamina_server import free_port

CONNECTIONS = 64
SOURCE = 'def handler(event, context):\n    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{\\"ok\\": true}"}\n'
UVICORN_APP = textwrap.dedent("""
    import uvicorn

    BODY = b'{"ok": true}'

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"12")]})
        await send({"type": "http.response.body", "body": BODY})

    uvicorn.run(app, host="127.0.0.1", port=int(__import__("sys").argv[1]), loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
""")


def wrk(url: str, host: str | None, seconds: int) -> dict[str, float]:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    if host:
        script.write(f'wrk.headers["Host"] = "{host}"\n')
    script.close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script.name, url],
                         capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(script.name)
    latency = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "socket_errors": errors.group(1) if errors else "none",
            "wrk_cpu": ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / seconds}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def report(label: str, figures: dict[str, float], ceiling: float | None = None) -> None:
    ratio = f"  ({figures['rate'] / ceiling:.0%} of the uvicorn ceiling)" if ceiling else ""
    print(f"{label}: {figures['rate']:.0f} req/s, p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms, "
          f"non-2xx {figures['non2xx']:.0f}, socket errors {figures['socket_errors']}, "
          f"wrk CPU {figures['wrk_cpu']:.2f} cores{ratio}")


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    port = free_port()
    ceiling_process = subprocess.Popen([sys.executable, "-c", UVICORN_APP, str(port)])
    server = start_lamina()
    try:
        client = server.client("lambda")
        arn = client.create_function(FunctionName="small-json", Runtime="python3.11", Handler="app.handler",
                                     Role=ROLE,
                                     Code={"ZipFile": python_zip(SOURCE)})["FunctionArn"]
        client.get_waiter("function_active_v2").wait(FunctionName="small-json", WaiterConfig={"Delay": 1})
        url_host = client.create_function_url_config(FunctionName="small-json", AuthType="NONE")["FunctionUrl"].split("/")[2]
        allow_public_url(client, "small-json")
        allow_api_gateway(server, "small-json")
        api_host = server.client("apigatewayv2").create_api(Name="bench", ProtocolType="HTTP",
                                                             Target=arn)["ApiEndpoint"].split("/")[2]
        print(f"machine: {machine()}")
        print(f"wrk -t2 -c{CONNECTIONS} -d{seconds}s, small JSON body, one Python 3.11 function")
        wrk(f"{server.endpoint}/", url_host, 3)  # warm up: environments for the connections
        time.sleep(0.5)
        ceiling = wrk(f"http://127.0.0.1:{port}/", None, seconds)
        report("bare uvicorn hello-world (ceiling)", ceiling)
        report("function URL", wrk(f"{server.endpoint}/", url_host, seconds), ceiling["rate"])
        wrk(f"{server.endpoint}/", api_host, 3)
        report("HTTP API $default route", wrk(f"{server.endpoint}/", api_host, seconds), ceiling["rate"])
    finally:
        server.stop()
        ceiling_process.terminate()
        ceiling_process.wait(timeout=10)


if __name__ == "__main__":
    main()
