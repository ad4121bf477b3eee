"""How a function's answer becomes the HTTP response under payload format 1.0 (REST APIs, HTTP APIs 1.0).

The answer must be a JSON object with ``statusCode``; ``headers``, ``multiValueHeaders``, ``body`` and
``isBase64Encoded`` are optional. Anything else is a malformed proxy response, answered with 502
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format,
https://repost.aws/knowledge-center/malformed-502-api-gateway).
"""

from __future__ import annotations

from typing import Callable

import orjson

from lamina.protocol.http import HttpResponse
from lamina.proxy.response_v2 import MalformedResponse, described_response


def response_v1(payload: bytes, binary: Callable[[str | None], bool] | None = None) -> HttpResponse:
    """``binary`` (REST APIs): whether a response of a content type may go out as binary; when not,
    a base64 body is sent as the base64 text itself
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html)."""
    try:
        result = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        raise MalformedResponse("the function's response is not JSON") from None
    if not isinstance(result, dict) or "statusCode" not in result:
        raise MalformedResponse("Malformed Lambda proxy response")
    if binary is not None and result.get("isBase64Encoded") is True:
        headers = {str(k).lower(): v for k, v in (result.get("headers") or {}).items()} \
            if isinstance(result.get("headers"), dict) else {}
        if not binary(headers.get("content-type")):
            result = {**result, "isBase64Encoded": False}
    return described_response(result, cookies=False, multi_value=True)
