"""Payload format 2.0: the event function URLs and HTTP APIs (payloadFormatVersion 2.0) send
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html,
https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-request-payload)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.proxy.request import ProxyRequest, event_body, is_text


@dataclass(slots=True)
class Route2:
    """Where the request landed: what the event says about the API, stage and route."""

    api_id: str
    account_id: str
    domain_name: str
    route_key: str = "$default"
    stage: str = "$default"
    path_prefix: str = ""  # "/<stage>" for a named HTTP API stage: part of rawPath, as in AWS


def sends_base64(request: ProxyRequest) -> bool:
    """Bodies that are not text, or are content-encoded, reach the function base64-encoded."""
    return not is_text(request.headers.get("content-type")) or "content-encoding" in request.headers


def headers_v2(request: ProxyRequest) -> dict[str, str]:
    return {name: value for name, value in request.headers.items() if name != "cookie"}


def query_v2(request: ProxyRequest) -> dict[str, str] | None:
    """Repeated parameters are joined with commas."""
    if not request.raw_query:
        return None
    joined: dict[str, str] = {}
    for name, value in request.query_pairs:
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    return joined


def request_context_v2(request: ProxyRequest, route: Route2) -> dict[str, Any]:
    path = route.path_prefix + request.raw_path
    return {
        "accountId": route.account_id,
        "apiId": route.api_id,
        "domainName": route.domain_name,
        "domainPrefix": route.domain_name.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.user_agent,
        },
        "requestId": request.request_id,
        "routeKey": route.route_key,
        "stage": route.stage,
        "time": request.request_time,
        "timeEpoch": request.time_epoch_ms,
    }


def event_v2(request: ProxyRequest, route: Route2, *, path_parameters: dict[str, str] | None = None,
             stage_variables: dict[str, str] | None = None, authorizer: dict[str, Any] | None = None,
             include_nulls: bool = False) -> dict[str, Any]:
    """The event; ``include_nulls`` keeps ``pathParameters``/``stageVariables`` as null (function URLs)."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": route.path_prefix + request.raw_path,
        "rawQueryString": request.raw_query,
    }
    cookies = request.cookies
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers_v2(request)
    query = query_v2(request)
    if query is not None:
        event["queryStringParameters"] = query
    context = request_context_v2(request, route)
    if authorizer is not None:
        context["authorizer"] = authorizer
    event["requestContext"] = context
    body, encoded = event_body(request.body, sends_base64(request))
    if body is not None:
        event["body"] = body
    if path_parameters or include_nulls:
        event["pathParameters"] = path_parameters or None
    event["isBase64Encoded"] = encoded
    if stage_variables or include_nulls:
        event["stageVariables"] = stage_variables or None
    return event
