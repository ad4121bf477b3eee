"""Authorization as a client sees it: GetFunctionConfiguration over HTTP by the account root (identity
policies are not evaluated) and by an IAM user with 10 attached policies / 50 statements (the policy
set of bench/iam_authorize.py), alternating so that both see the same machine. Starts a real
``lamina serve``. Prints median and p99 in microseconds and the difference of the medians.

    PYTHONPATH=. python bench/iam_http_overhead.py [count]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.iam_authorize import statements
from tests.functions import python_zip
from tests.identities import make_user
from tests.lamina_server import LaminaServer

FUNCTION = "orders-api"


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = LaminaServer(Path(tmp) / "data").start()
        try:
            iam = server.client("iam")
            arns = [iam.create_policy(PolicyName=f"team-{i}", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": statements(i)}))["Policy"]["Arn"] for i in range(10)]
            user = make_user(server, managed=tuple(arns), name="dev")
            server.client("lambda").create_function(
                FunctionName=FUNCTION, Runtime="python3.11", Role=server.create_role(), Handler="app.handler",
                Code={"ZipFile": python_zip("def handler(e, c): pass\n")})
            clients = {"root": server.client("lambda"), "user": user.client("lambda")}
            timings: dict[str, list[int]] = {"root": [], "user": []}
            for who, client in clients.items():  # warm up connections and caches
                for _ in range(50):
                    client.get_function_configuration(FunctionName=FUNCTION)
            for _ in range(count):
                for who, client in clients.items():
                    start = time.perf_counter_ns()
                    client.get_function_configuration(FunctionName=FUNCTION)
                    timings[who].append(time.perf_counter_ns() - start)
            medians = {}
            print(f"GetFunctionConfiguration over HTTP (boto3), {count} requests each")
            for who, values in timings.items():
                values.sort()
                medians[who] = statistics.median(values) / 1000
                print(f"  {who:5s} median {medians[who]:7.1f} us, p99 {values[int(len(values) * 0.99)] / 1000:7.1f} us")
            print(f"  difference of medians: {medians['user'] - medians['root']:.1f} us")
        finally:
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
