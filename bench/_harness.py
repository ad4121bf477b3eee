"""Shared pieces of the benchmark scripts: a lamina to measure, pre-signed requests, statistics."""

from __future__ import annotations

import http.client
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.lamina_server import LaminaServer  # noqa: E402


def start_lamina(**env: str) -> LaminaServer:
    data = Path(tempfile.mkdtemp(prefix="lamina-bench-")) / "data"
    server = LaminaServer(data, extra_env=dict(env)).start()
    try:
        server.create_role()  # tests.functions.ROLE: functions need an execution role Lambda may assume
    except BaseException:
        server.stop()
        raise
    return server


def presign(server: LaminaServer, method: str, path: str, body: bytes, headers: dict[str, str] | None = None,
            service: str = "lambda") -> dict[str, str]:
    """Headers of a request signed once: the server verifies the signature on every replay (valid 15 minutes)."""
    key, secret = server.credentials()
    request = AWSRequest(method=method, url=server.endpoint + path, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return {k: v for k, v in request.prepare().headers.items()}


def timed_requests(server: LaminaServer, method: str, path: str, body: bytes, headers: dict[str, str],
                   count: int) -> list[float]:
    """Round-trip times in ms of ``count`` sequential requests on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    conn.connect()
    conn.sock.setsockopt(__import__("socket").IPPROTO_TCP, __import__("socket").TCP_NODELAY, 1)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        samples.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"status {response.status}")
    conn.close()
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(samples: list[float]) -> str:
    return (f"p50 {statistics.median(samples):.3f} ms  p99 {percentile(samples, 0.99):.3f} ms  "
            f"(n={len(samples)})")


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
