"""Request bodies clients compress: botocore gzips the body of operations with the model's
``requestcompression`` trait (CloudWatch PutMetricData) once it passes 10 KB
(https://docs.aws.amazon.com/sdkref/latest/guide/feature-compression.html). The signature covers
the compressed bytes, so the body is inflated after authentication, before the protocol reads it.
"""

from __future__ import annotations

import zlib

from lamina.protocol.errors import RequestTooLargeError, SerializationError
from lamina.protocol.http import HttpRequest

MAX_INFLATED = 70_167_211  # the largest body lamina reads at all (Settings.max_request_bytes)


def inflate(request: HttpRequest, limit: int = MAX_INFLATED) -> None:
    encodings = [e.strip() for e in request.headers.get("content-encoding", "").split(",") if e.strip()]
    if "gzip" not in encodings:
        return
    inflater = zlib.decompressobj(wbits=31)  # gzip framing
    try:
        body = inflater.decompress(request.body, limit + 1)
    except zlib.error as error:
        raise SerializationError(f"The request body is not valid gzip: {error}") from None
    if len(body) > limit or inflater.unconsumed_tail:
        raise RequestTooLargeError(f"The decompressed request body is larger than {limit} bytes")
    request.body = body
    rest = [e for e in encodings if e != "gzip"]
    if rest:
        request.headers["content-encoding"] = ", ".join(rest)
    else:
        request.headers.pop("content-encoding", None)
