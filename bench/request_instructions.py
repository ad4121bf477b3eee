"""Instructions per request on the server's in-process paths, counted by callgrind: a load-independent figure.

    PYTHONPATH=. python bench/request_instructions.py [requests]

Wall-clock and even CPU-time figures swing by a third on a shared VM; the number of instructions a
request executes does not. This re-runs itself under ``valgrind --tool=callgrind`` (Debian package
``valgrind``) with instrumentation off, builds a node in process (as ``bench/invoke_inprocess.py`` does),
warms each path up, then counts only the requests of one round: a signed Invoke of a no-op function, a
signed asynchronous Invoke (delivery stopped), a function URL request and an HTTP API ``$default`` route
(quick create). The functions' own processes are not counted; uvicorn's HTTP handling is not on these paths.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PATHS = ("invoke", "async", "url", "api")
MARK = "LAMINA_BENCH_UNDER_CALLGRIND"


def _callgrind(*args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


async def _count(requests: int) -> None:
    import invoke_inprocess as ip
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = Path.cwd() / f"bench-instructions-{ip.free_port()}"
    node = ip.Node(ip.Settings(port=ip.free_port(), data_dir=data))
    await node.start()
    try:
        invoke, url = await ip.setup(node)
        host = f"127.0.0.1:{node.settings.port}"
        path = "/2015-03-31/functions/noop/invocations"
        request = AWSRequest(method="POST", url=f"http://{host}{path}", data=b"{}",
                             headers={"X-Amz-Invocation-Type": "Event"})
        SigV4Auth(Credentials(node.root.access_key_id, node.root.secret_access_key), "lambda",
                  "us-east-1").add_auth(request)
        signed = [(k.lower().encode(), (v if isinstance(v, str) else v.decode()).encode())
                  for k, v in request.prepare().headers.items()]
        event = dict(invoke, headers=[(b"host", host.encode()), *signed, (b"user-agent", b"bench")])
        api = await _http_api(node, ip)
        await node.registry.endpoints["lambda"].provider.async_invoker.stop()  # the accept path alone
        scopes = {"invoke": (invoke, b"{}", 200), "async": (event, b"{}", 202), "url": (url, b"", 200),
                  "api": (api, b"", 200)}
        for label in PATHS:
            scope, body, status = scopes[label]
            statuses: list[int] = []

            async def receive(body: bytes = body) -> dict:
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            async def client(n: int, scope: dict = scope) -> None:
                for _ in range(n):
                    await node.app(scope, receive, send)

            await asyncio.gather(*(client(20) for _ in range(ip.CLIENTS)))  # one warm environment per client
            await asyncio.sleep(0.3)
            _callgrind("--zero")
            _callgrind("--instr=on")
            await asyncio.gather(*(client(requests // ip.CLIENTS) for _ in range(ip.CLIENTS)))
            await asyncio.sleep(0.2)  # the timer-driven log and metric commits of this round run inside it
            _callgrind("--instr=off")
            _callgrind(f"--dump={label}")
            if set(statuses) != {status}:
                raise RuntimeError(f"{label}: statuses {set(statuses)}")
    finally:
        try:
            await node.stop()
        finally:
            shutil.rmtree(data, ignore_errors=True)


async def _http_api(node, ip) -> dict:  # type: ignore[no-untyped-def]
    """The scope of a GET on an HTTP API made by quick create for the small-JSON function, which API Gateway
    may invoke."""
    from lamina.iam.principal import root_principal
    from lamina.services.context import CallContext

    def ctx(service: str, operation: str) -> CallContext:
        return CallContext(service, operation, "us-east-1", ip.ACCOUNT, "bench", root_principal(ip.ACCOUNT, "root"), "")

    await node.registry.endpoints["lambda"].provider.add_permission(ctx("lambda", "AddPermission"), {
        "FunctionName": "small-json", "StatementId": "apigateway", "Principal": "apigateway.amazonaws.com",
        "Action": "lambda:InvokeFunction"})
    api = await node.registry.endpoints["apigatewayv2"].provider.create_api(ctx("apigatewayv2", "CreateApi"), {
        "Name": "bench", "ProtocolType": "HTTP", "Target": f"arn:aws:lambda:us-east-1:{ip.ACCOUNT}:function:small-json"})
    host = f"{api['ApiId']}.execute-api.us-east-1.localhost"
    return {"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"",
            "headers": [(b"host", host.encode()), (b"user-agent", b"bench"), (b"accept", b"*/*")],
            "client": ("127.0.0.1", 5000), "scheme": "http"}


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 320
    if os.environ.get(MARK):
        import uvloop
        uvloop.run(_count(requests))
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt install valgrind)")
    with tempfile.TemporaryDirectory(prefix="lamina-callgrind-") as out:
        # Not checked: valgrind lacks pidfd_send_signal, so stopping the node's environments fails under it
        # after the counts are written; a missing count is reported below.
        run = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                              f"--callgrind-out-file={out}/cg.%p", sys.executable, *sys.argv[:2]],
                             env={**os.environ, MARK: "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        dumps = sorted(Path(out).glob("cg.*.*"))
        if len(dumps) != len(PATHS):
            sys.exit(f"callgrind wrote {len(dumps)} of {len(PATHS)} counts:\n{run.stderr[-3000:]}")
        for dump in dumps:
            label = re.search(r"^desc: Trigger: .*?dump (\S+)", dump.read_text(errors="replace"), re.M)
            totals = subprocess.run(["callgrind_annotate", str(dump)], capture_output=True, text=True).stdout
            total = re.search(r"([\d,]+) \S* *PROGRAM TOTALS", totals)
            if label and total:
                count = int(total.group(1).replace(",", ""))
                print(f"{label.group(1)}: {count / requests:,.0f} instructions per request")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
