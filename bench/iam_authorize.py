"""Cost of the IAM authorization check the gateway runs before every provider.

Builds a node in-process (SQLite store in a temporary directory), an IAM user
with 10 attached customer managed policies of 5 statements each (50
statements: allows and denies over several services, wildcards, NotAction,
conditions on aws:SourceIp, aws:PrincipalTag and aws:CurrentTime, a policy
variable), and a function with a 3-statement resource policy. Then times the
check on request contexts as the gateway hands them over (after parsing):
Lambda Invoke and GetFunction by that user (allowed, so the whole policy set is
evaluated), a denied DeleteFunction, and the same Invoke by the account root.
The baseline is the same loop awaiting a no-op check. Then the whole request
path (the gateway's handler chain: SigV4, parsing, the check, the provider,
serialization) for SigV4-signed GetFunctionConfiguration requests, with the
check and without it, by the user and by the root. Prints median and p99 in
microseconds.

    PYTHONPATH=. python bench/iam_authorize.py [count]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lamina.config import Settings
from lamina.gateway.context import RequestContext
from lamina.iam.principal import root_principal
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest
from lamina.server import Node
from lamina.services.context import CallContext
from lamina.services.iam.directory import user_principal
from tests.functions import python_zip
from tests.lamina_server import LAMBDA_TRUST, free_port

ACCOUNT = "000000000000"
FUNCTION = "orders-api"


def statements(index: int) -> list[dict]:
    """Five statements of the kind teams write: what one service or one team may do."""
    fn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function"
    return [
        {"Sid": f"Invoke{index}", "Effect": "Allow", "Action": ["lambda:InvokeFunction", "lambda:InvokeAsync"],
         "Resource": [f"{fn}:team{index}-*", f"{fn}:orders-*"]},
        {"Sid": f"Read{index}", "Effect": "Allow", "Action": ["lambda:Get*", "lambda:List*"], "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}},
        {"Sid": f"Queues{index}", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
         "Resource": f"arn:aws:sqs:*:{ACCOUNT}:team{index}-*"},
        {"Sid": f"Logs{index}", "Effect": "Allow", "NotAction": ["logs:Delete*", "logs:Put*Policy"],
         "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/${{aws:username}}-*"},
        {"Sid": f"NoDelete{index}", "Effect": "Deny", "Action": ["lambda:Delete*", "iam:*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:PrincipalTag/role": "admin"},
                       "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}},
    ]


async def build(data_dir: Path) -> tuple[Node, RequestContext, ...]:  # type: ignore[misc]
    node = Node(Settings(port=free_port(), data_dir=data_dir))
    await node.start()
    root = root_principal(ACCOUNT, "root")
    ctx = CallContext("iam", "bench", "us-east-1", ACCOUNT, "req", root, "")
    iam = node.registry.endpoints["iam"].provider
    lam = node.registry.endpoints["lambda"].provider
    user = (await iam.create_user(ctx, {"UserName": "dev", "Tags": [{"Key": "role", "Value": "dev"}]}))["User"]
    for index in range(10):
        document = json.dumps({"Version": "2012-10-17", "Statement": statements(index)})
        arn = (await iam.create_policy(ctx, {"PolicyName": f"team-{index}", "PolicyDocument": document}))["Policy"]["Arn"]
        await iam.attach_user_policy(ctx, {"UserName": "dev", "PolicyArn": arn})
    role = (await iam.create_role(ctx, {"RoleName": "exec", "AssumeRolePolicyDocument": LAMBDA_TRUST}))["Role"]
    await lam.create_function(ctx, {"FunctionName": FUNCTION, "Runtime": "python3.11", "Role": role["Arn"],
                                    "Handler": "app.handler", "Code": {"ZipFile": python_zip("def handler(e, c): pass\n")}})
    for sid, principal in (("rule", "events.amazonaws.com"), ("topic", "sns.amazonaws.com"), ("partner", "111122223333")):
        await lam.add_permission(ctx, {"FunctionName": FUNCTION, "StatementId": sid, "Action": "lambda:InvokeFunction",
                                       "Principal": principal})
    stored = await iam.directory.users.get(ACCOUNT, "dev")
    dev = user_principal(stored, ACCOUNT, "AKIADEV")
    assert dev.arn == user["Arn"]
    return node, dev, root


def context(node: Node, principal, operation: str, params: dict) -> RequestContext:  # type: ignore[no-untyped-def]
    endpoint = node.registry.endpoints["lambda"]
    request = HttpRequest("POST", "/", "", {"host": "127.0.0.1:9060"}, b"", client_ip="127.0.0.1")
    ctx = RequestContext(request=request, request_id="r", account_id=ACCOUNT, region="us-east-1", endpoint=endpoint,
                         protocol=endpoint.protocol_for(request), principal=principal,
                         operation=endpoint.model.operation_model(operation), params=params)
    return ctx


async def time_check(check, ctx: RequestContext, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    clock = time.perf_counter_ns
    timings = []
    for _ in range(count):
        start = clock()
        try:
            await check(ctx)
        except ServiceError:
            pass
        timings.append(clock() - start)
    return timings


def signed_get(credentials: Credentials) -> HttpRequest:
    """GetFunctionConfiguration as boto3 signs it, as the gateway receives it."""
    request = AWSRequest(method="GET", url=f"http://127.0.0.1:9060/2015-03-31/functions/{FUNCTION}/configuration")
    SigV4Auth(credentials, "lambda", "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()}
    headers["host"] = "127.0.0.1:9060"
    parts = urlsplit(prepared.url)
    return HttpRequest("GET", parts.path, parts.query, headers, b"", client_ip="127.0.0.1")


async def whole_path(node: Node, count: int) -> None:
    """Round-robin over (caller, with/without the check) so that all four see the same machine."""
    iam = node.registry.endpoints["iam"].provider
    ctx = CallContext("iam", "bench", "us-east-1", ACCOUNT, "req", root_principal(ACCOUNT, "root"), "")
    key = (await iam.create_access_key(ctx, {"UserName": "dev"}))["AccessKey"]
    who = {"user": Credentials(key["AccessKeyId"], key["SecretAccessKey"]),
           "root": Credentials(node.root.access_key_id, node.root.secret_access_key)}
    requests = {name: [signed_get(c) for _ in range(count + 200)] for name, c in who.items()}
    checks = list(node.authorize.checks)
    runs = [(name, checked) for checked in (True, False) for name in who]
    timings: dict[tuple[str, bool], list[int]] = {run: [] for run in runs}
    clock = time.perf_counter_ns
    for index in range(count + 200):
        for name, checked in runs:
            node.authorize.checks[:] = checks if checked else []
            start = clock()
            response = await node.chain.handle(requests[name][index])
            elapsed = clock() - start
            assert response.status == 200, response.body
            if index >= 200:  # the first ones warm up
                timings[(name, checked)].append(elapsed)
    node.authorize.checks[:] = checks
    print(f"Whole request path (SigV4, parse, authorize, GetFunctionConfiguration, serialize), {count} requests each")
    for (name, checked), values in timings.items():
        median, p99 = summary(values)
        print(f"  {name}, {'with' if checked else 'without'} the check{'':8s} median {median:6.1f} us, p99 {p99:6.1f} us")


def summary(timings: list[int]) -> tuple[float, float]:
    timings = sorted(timings)
    return statistics.median(timings) / 1000, timings[int(len(timings) * 0.99)] / 1000


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        node, dev, root = await build(Path(tmp) / "data")
        try:
            check = node.authorize.checks[0]

            async def nothing(ctx: RequestContext) -> None:
                return None

            cases = {
                "Invoke by user (allowed)": context(node, dev, "Invoke", {"FunctionName": FUNCTION}),
                "GetFunction by user (allowed)": context(node, dev, "GetFunction", {"FunctionName": FUNCTION}),
                "DeleteFunction by user (denied)": context(node, dev, "DeleteFunction", {"FunctionName": FUNCTION}),
                "Invoke by root": context(node, root, "Invoke", {"FunctionName": FUNCTION}),
            }
            for ctx in cases.values():  # warm caches, as a running server has them
                await time_check(check, ctx, 200)
            base_median, base_p99 = summary(await time_check(nothing, cases["Invoke by user (allowed)"], count))
            print(f"IAM authorization check, {count} requests each; user with 10 attached policies / 50 statements, "
                  "function with a 3-statement policy")
            print(f"  baseline (no-op check): median {base_median:.1f} us, p99 {base_p99:.1f} us")
            for label, ctx in cases.items():
                median, p99 = summary(await time_check(check, ctx, count))
                print(f"  {label:34s} median {median:6.1f} us (+{median - base_median:.1f}), p99 {p99:6.1f} us")
            await whole_path(node, min(count, 5000))
        finally:
            await node.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
