"""How a function's answer becomes the HTTP response under payload format 1.0 (REST APIs, HTTP APIs 1.0).

The answer must be a JSON object with ``statusCode``; ``headers``, ``multiValueHeaders``, ``body`` and
``isBase64Encoded`` are optional. Anything else is a malformed proxy response, answered with 502
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format,
https://repost.aws/knowledge-center/malformed-502-api-gateway).
"""

from __future__ import annotations

import orjson

from lamina.protocol.http import HttpResponse
from lamina.proxy.response_v2 import MalformedResponse, described_response


def response_v1(payload: bytes) -> HttpResponse:
    try:
        result = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        raise MalformedResponse("the function's response is not JSON") from None
    if not isinstance(result, dict) or "statusCode" not in result:
        raise MalformedResponse("Malformed Lambda proxy response")
    return described_response(result, cookies=False, multi_value=True)
