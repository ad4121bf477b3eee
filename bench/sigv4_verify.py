"""Cost of verifying a typical signed Lambda Invoke (read_signature + verify).

Signs 20,000 distinct Invoke requests with botocore (as boto3 would: ARN in the
path, session token, small JSON payload), converts them to what the server
sees, then times ``read_signature`` + ``verify`` for each. Signing keys are
cached, as in the server. Prints the median and p99 in microseconds.

    PYTHONPATH=. python bench/sigv4_verify.py [count]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lamina.gateway.sigv4 import read_signature, verify
from lamina.protocol.http import HttpRequest

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
URL = ("http://127.0.0.1:9060/2015-03-31/functions/"
       "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function/invocations")


def signed_invoke(i: int, credentials: Credentials) -> HttpRequest:
    payload = b'{"order_id": %d, "items": [1, 2, 3], "customer": "c-%d"}' % (i, i)
    request = AWSRequest(method="POST", url=URL, data=payload, headers={
        "User-Agent": "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux lang/python#3.11.7",
        "X-Amz-Invocation-Type": "RequestResponse"})
    SigV4Auth(credentials, "lambda", "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in prepared.headers.items()}
    headers["host"] = "127.0.0.1:9060"
    parts = urlsplit(prepared.url)
    return HttpRequest("POST", parts.path, parts.query, headers, prepared.body)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    credentials = Credentials("AKIAIOSFODNN7EXAMPLE", SECRET, "session-token-" + "x" * 300)
    requests = [signed_invoke(i, credentials) for i in range(count)]
    now = dt.datetime.now(dt.timezone.utc)
    for request in requests[:100]:  # warm the signing-key cache and the interpreter
        verify(request, read_signature(request), SECRET, now)

    timings = []
    clock = time.perf_counter_ns
    for request in requests:
        start = clock()
        verify(request, read_signature(request), SECRET, now)
        timings.append(clock() - start)

    timings.sort()
    median = statistics.median(timings) / 1000
    p99 = timings[int(len(timings) * 0.99)] / 1000
    print(f"sigv4 verify of a Lambda Invoke, {count} requests: median {median:.1f} us, p99 {p99:.1f} us")


if __name__ == "__main__":
    main()
