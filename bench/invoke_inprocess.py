"""Server CPU per synchronous invocation, measured in-process: no uvicorn, no sockets on the client side.

    PYTHONPATH=. python bench/invoke_inprocess.py [requests] [--profile FILE]

Builds a node in this process (as ``lamina serve`` does, on uvloop; the data directory is under the
current directory, since function sandboxes do not see /tmp), creates a no-op function and a function
URL, then sends requests straight to the ASGI application from 32 concurrent tasks: SigV4-signed Invoke
API requests (signed once, verified on every replay) and function URL requests. Prints the CPU time of
this process per request (the functions run in their own processes and are not counted). It leaves out
uvicorn's HTTP parsing and socket writes (see ``bench/server_cpu.py`` for the whole server), and is
repeatable on a loaded machine, which wall-clock throughput is not. ``--profile FILE`` writes a cProfile
of the Invoke API run.
"""

from __future__ import annotations

import asyncio
import cProfile
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import uvloop
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lamina.config import Settings  # noqa: E402
from lamina.iam.principal import root_principal  # noqa: E402
from lamina.server import Node  # noqa: E402
from lamina.services.context import CallContext  # noqa: E402
from tests.functions import python_zip  # noqa: E402
from tests.lamina_server import LAMBDA_TRUST, free_port  # noqa: E402

ACCOUNT = "000000000000"
CLIENTS = 32
NOOP = "def handler(event, context):\n    return None\n"
SMALL_JSON = ('def handler(event, context):\n    return {"statusCode": 200, "headers": {"content-type": '
              '"application/json"}, "body": "{\\"ok\\": true}"}\n')
Scope = dict[str, Any]


async def setup(node: Node) -> tuple[Scope, Scope]:
    ctx = CallContext("lambda", "Bench", "us-east-1", ACCOUNT, "req", root_principal(ACCOUNT, "root"), "")
    iam, lam = node.registry.endpoints["iam"].provider, node.registry.endpoints["lambda"].provider
    role = (await iam.create_role(ctx, {"RoleName": "exec", "AssumeRolePolicyDocument": LAMBDA_TRUST}))["Role"]
    for name, source in (("noop", NOOP), ("small-json", SMALL_JSON)):
        await lam.create_function(ctx, {"FunctionName": name, "Runtime": "python3.11", "Role": role["Arn"],
                                        "Handler": "app.handler", "Code": {"ZipFile": python_zip(source)}})
    url = (await lam.create_function_url_config(ctx, {"FunctionName": "small-json", "AuthType": "NONE"}))["FunctionUrl"]
    for sid, extra in (("url", {"Action": "lambda:InvokeFunctionUrl", "FunctionUrlAuthType": "NONE"}),
                       ("invoke", {"Action": "lambda:InvokeFunction", "InvokedViaFunctionUrl": True})):
        await lam.add_permission(ctx, {"FunctionName": "small-json", "StatementId": sid, "Principal": "*", **extra})
    for name in ("noop", "small-json"):
        while (await lam.get_function_configuration(ctx, {"FunctionName": name}))["State"] != "Active":
            await asyncio.sleep(0.1)

    host = f"127.0.0.1:{node.settings.port}"
    path = "/2015-03-31/functions/noop/invocations"
    request = AWSRequest(method="POST", url=f"http://{host}{path}", data=b"{}")
    root = Credentials(node.root.access_key_id, node.root.secret_access_key)
    SigV4Auth(root, "lambda", "us-east-1").add_auth(request)
    signed = [(k.lower().encode(), (v if isinstance(v, str) else v.decode()).encode())
              for k, v in request.prepare().headers.items()]
    invoke = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
              "headers": [(b"host", host.encode()), *signed, (b"user-agent", b"bench")], "client": ("127.0.0.1", 5000),
              "scheme": "http"}
    url_host = url.split("/")[2]
    function_url = {"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"",
                    "headers": [(b"host", url_host.encode()), (b"user-agent", b"bench"), (b"accept", b"*/*")],
                    "client": ("127.0.0.1", 5000), "scheme": "http"}
    return invoke, function_url


async def drive(node: Node, scope: Scope, body: bytes, count: int) -> float:
    """µs of this process's CPU per request, ``count`` requests from CLIENTS concurrent tasks."""
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def client(n: int) -> None:
        for _ in range(n):
            await node.app(scope, receive, send)

    start = time.process_time()
    await asyncio.gather(*(client(count // CLIENTS) for _ in range(CLIENTS)))
    used = time.process_time() - start
    assert set(statuses) == {200}, set(statuses)
    return used / len(statuses) * 1e6


async def main(count: int, profile: str | None) -> None:
    data = Path.cwd() / f"bench-inprocess-{free_port()}"
    node = Node(Settings(port=free_port(), data_dir=data))
    await node.start()
    try:
        invoke, function_url = await setup(node)
        for label, scope, body in (("Invoke API (signed, no-op)", invoke, b"{}"),
                                   ("function URL (small JSON)", function_url, b"")):
            await drive(node, scope, body, CLIENTS * 20)  # warm up: one environment per client
            runs = sorted([await drive(node, scope, body, count) for _ in range(3)])
            print(f"{label}: {runs[1]:.0f} µs of CPU per request (runs {', '.join(f'{r:.0f}' for r in runs)})")
        if profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            await drive(node, invoke, b"{}", count)
            profiler.disable()
            profiler.dump_stats(profile)
    finally:
        await node.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    profile_to = arguments[arguments.index("--profile") + 1] if "--profile" in arguments else None
    total = int(arguments[0]) if arguments and arguments[0].isdigit() else 3000
    uvloop.run(main(total, profile_to))
