"""How a function's answer becomes the HTTP response under payload format 2.0 (function URLs, HTTP APIs).

A JSON object with ``statusCode`` is a response description (``headers``, ``cookies``, ``body``,
``isBase64Encoded``); anything else is the body of a 200 ``application/json`` response, a string
as itself and any other value as its JSON
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html#http-api-develop-integrations-lambda.response,
https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from lamina.protocol.http import HttpResponse

# Framing is the server's to write: a function's own values would contradict the body sent.
_FRAMING = frozenset(("content-length", "transfer-encoding", "connection"))


class MalformedResponse(Exception):
    """The function's answer cannot be read as a proxy response (API Gateway: 502)."""


def response_v2(payload: bytes) -> HttpResponse:
    try:
        result = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        raise MalformedResponse("the function's response is not JSON") from None
    if isinstance(result, dict) and "statusCode" in result:
        return described_response(result, cookies=True)
    if isinstance(result, str):
        body = result.encode()
    else:
        body = orjson.dumps(result)
    return HttpResponse(200, [("Content-Type", "application/json")], body)


def status_of(value: Any) -> int:
    if isinstance(value, bool):
        raise MalformedResponse("statusCode is not a number")
    try:
        status = int(value)
    except (TypeError, ValueError):
        raise MalformedResponse("statusCode is not a number") from None
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is not an HTTP status")
    return status


def header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise MalformedResponse("a header value is not a string")


def body_bytes(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse("body is not a string")
    if result.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("body is not valid base64") from None
    return body.encode()


def described_response(result: dict[str, Any], *, cookies: bool,
                       multi_value: bool = False) -> HttpResponse:
    """The response a ``{"statusCode": ...}`` document describes (formats 1.0 and 2.0)."""
    status = status_of(result["statusCode"])
    headers: list[tuple[str, str]] = []
    single = {} if result.get("headers") is None else result["headers"]
    if not isinstance(single, dict):
        raise MalformedResponse("headers is not an object")
    seen: set[str] = set()
    if multi_value:
        many = {} if result.get("multiValueHeaders") is None else result["multiValueHeaders"]
        if not isinstance(many, dict):
            raise MalformedResponse("multiValueHeaders is not an object")
        for name, values in many.items():
            if not isinstance(values, list):
                raise MalformedResponse("a multiValueHeaders entry is not a list")
            headers += [(str(name), header_text(v)) for v in values]
            seen.add(str(name).lower())
    for name, value in single.items():
        if str(name).lower() not in seen:  # multiValueHeaders win over headers of the same name
            headers.append((str(name), header_text(value)))
    if cookies:
        listed = [] if result.get("cookies") is None else result["cookies"]
        if not isinstance(listed, list):
            raise MalformedResponse("cookies is not a list")
        headers += [("Set-Cookie", header_text(cookie)) for cookie in listed]
    headers = [(name, value) for name, value in headers if name.lower() not in _FRAMING]
    return HttpResponse(status, headers, body_bytes(result))
