"""Payload format 1.0: the event REST APIs and HTTP APIs (payloadFormatVersion 1.0) send
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).

Repeated headers and query parameters keep every value in ``multiValue*``; the single-valued maps
hold the last one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.proxy.request import ProxyRequest, event_body


@dataclass(slots=True)
class Route1:
    api_id: str
    account_id: str
    domain_name: str
    stage: str
    resource: str  # the route's path template, e.g. "/items/{id}"
    resource_id: str = ""
    path_prefix: str = ""  # "/<stage>" when the stage is named in the URL
    http_api: bool = False  # HTTP APIs add "version": "1.0"


def _multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    many: dict[str, list[str]] = {}
    for name, value in pairs:
        single[name] = value
        many.setdefault(name, []).append(value)
    return single, many


def _identity(request: ProxyRequest) -> dict[str, Any]:
    return {"accessKey": None, "accountId": None, "caller": None, "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
            "principalOrgId": None, "sourceIp": request.source_ip, "user": None,
            "userAgent": request.user_agent, "userArn": None}


def request_context_v1(request: ProxyRequest, route: Route1) -> dict[str, Any]:
    return {
        "accountId": route.account_id,
        "apiId": route.api_id,
        "domainName": route.domain_name,
        "domainPrefix": route.domain_name.split(".", 1)[0],
        "extendedRequestId": request.request_id,
        "httpMethod": request.method,
        "identity": _identity(request),
        "path": route.path_prefix + request.raw_path,
        "protocol": "HTTP/1.1",
        "requestId": request.request_id,
        "requestTime": request.request_time,
        "requestTimeEpoch": request.time_epoch_ms,
        "resourceId": route.resource_id,
        "resourcePath": route.resource,
        "stage": route.stage,
    }


def event_v1(request: ProxyRequest, route: Route1, *, binary: bool,
             path_parameters: dict[str, str] | None = None, stage_variables: dict[str, str] | None = None,
             authorizer: dict[str, Any] | None = None) -> dict[str, Any]:
    """``binary``: whether the body goes base64-encoded (REST APIs: it matched binaryMediaTypes)."""
    headers, multi_headers = _multi(request.header_lines)
    query, multi_query = _multi(request.query_pairs)
    context = request_context_v1(request, route)
    if authorizer is not None:
        context["authorizer"] = authorizer
    body, encoded = event_body(request.body, binary)
    event: dict[str, Any] = {"version": "1.0"} if route.http_api else {}
    event.update({
        "resource": route.resource,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "requestContext": context,
        "pathParameters": path_parameters or None,
        "stageVariables": stage_variables or None,
        "body": body,
        "isBase64Encoded": encoded,
    })
    return event
