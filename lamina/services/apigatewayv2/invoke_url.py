"""Serving HTTP APIs' invoke URLs: stage, route, authorizer, Lambda proxy integration, response
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api.html). The door in front is
``lamina/proxy/execute_api.py``."""

from __future__ import annotations

import time
from typing import Any

from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.proxy import api_metrics
from lamina.proxy.access_log import write_access_log
from lamina.proxy.event_v1 import Route1, event_v1
from lamina.proxy.event_v2 import Route2, event_v2, sends_base64
from lamina.proxy.execute_api import api_message
from lamina.proxy.lambda_integration import LambdaInvoker, Outcome, function_arn_of
from lamina.proxy.request import ProxyRequest
from lamina.proxy.response_v1 import response_v1
from lamina.proxy.response_v2 import MalformedResponse, response_v2
from lamina.services.apigatewayv2.authorizers import Authorizers, AuthRequest, Decision
from lamina.services.apigatewayv2.compiled import CompiledApi, CompiledStage
from lamina.services.apigatewayv2.routing import RouteMatch
from lamina.services.platform import Platform

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # HTTP APIs' payload limit


class HttpApiHost:
    """Implements ``lamina.proxy.execute_api.ApiHost`` for the HTTP APIs in ``apis`` (kept current
    by ``on_change``)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.apis: dict[str, CompiledApi] = {}
        self.timeout_s = platform.settings.api_integration_timeout
        self.authorizers = Authorizers(self._invoker)

    def on_change(self, api_id: str, document: dict[str, Any] | None) -> None:
        if document is None:
            self.apis.pop(api_id, None)
        else:
            self.apis[api_id] = CompiledApi.of(document)

    def owns(self, api_id: str) -> bool:
        return api_id in self.apis

    def region_of(self, api_id: str) -> str:
        return self.apis[api_id].region

    def _invoker(self) -> LambdaInvoker | None:
        service = self.platform.peer("lambda")
        return LambdaInvoker(service) if service is not None else None

    async def serve(self, api_id: str, raw_path: str, request: HttpRequest, domain: str) -> HttpResponse:
        started = time.perf_counter()
        api = self.apis[api_id]
        found = api.stage_for(raw_path)
        if found is None:
            return api_message(404, "Not Found")
        stage, path, prefix = found
        proxy = ProxyRequest.of(request, path)
        log: dict[str, Any] = {"routeKey": "-"}
        response, outcome = await self._respond(api, stage, prefix, proxy, request, domain, log)
        response.headers.append(("apigw-requestid", proxy.request_id))
        if stage.cors is not None and not stage.cors.is_preflight(request):
            stage.cors.decorate(request, response)
        self._observe(api, stage, proxy, response, outcome, started, domain, log)
        return response

    async def _respond(self, api: CompiledApi, stage: CompiledStage, prefix: str, proxy: ProxyRequest,
                       request: HttpRequest, domain: str,
                       log: dict[str, Any]) -> tuple[HttpResponse, Outcome | None]:
        if stage.cors is not None and stage.cors.is_preflight(request):
            return stage.cors.preflight(request), None
        if request.oversize or len(request.body) > MAX_REQUEST_BYTES:
            return api_message(413, "Request Entity Too Large"), None
        match = stage.router.match(proxy.method, proxy.raw_path)
        if match is None:
            return api_message(404, "Not Found"), None
        route = match.route
        log["routeKey"] = route["RouteKey"]
        context = _Call(api, stage, prefix, proxy, domain, match)
        authorizer_context: dict[str, Any] | None = None
        if route.get("AuthorizationType") in ("JWT", "CUSTOM"):
            authorizer = stage.authorizers.get(route.get("AuthorizerId") or "")
            if authorizer is None:  # never served unguarded: the route names an authorizer it cannot find
                return api_message(500, "Internal Server Error"), None
            decision = await self.authorizers.authorize(authorizer, context.auth_request())
            if decision.status is not None:
                log["authorizer.error"] = decision.error
                return _refusal(decision), None
            authorizer_context = decision.context
        integration = stage.integrations.get((route.get("Target") or "").removeprefix("integrations/"))
        function = function_arn_of(integration.get("IntegrationUri", ""), stage.variables) if integration else None
        invoker = self._invoker()
        if function is None or invoker is None:
            return api_message(500, "Internal Server Error"), None
        version = integration.get("PayloadFormatVersion") or "2.0"
        event = context.event(version, authorizer_context)
        timeout = min(self.timeout_s, (integration.get("TimeoutInMillis") or 30000) / 1000)
        source = None if integration.get("CredentialsArn") else context.route_arn
        outcome = await invoker.invoke(function, event, proxy.request_id, timeout, source)
        return _integration_response(outcome, version), outcome

    def _observe(self, api: CompiledApi, stage: CompiledStage, proxy: ProxyRequest, response: HttpResponse,
                 outcome: Outcome | None, started: float, domain: str, log: dict[str, Any]) -> None:
        latency = (time.perf_counter() - started) * 1000
        length = len(response.body)
        if stage.access_log:  # the access log's fields are gathered only for a log that is written
            values = {**log, "requestId": proxy.request_id, "extendedRequestId": proxy.request_id, "apiId": api.api_id,
                      "stage": stage.name, "httpMethod": proxy.method, "path": proxy.raw_path, "protocol": "HTTP/1.1",
                      "status": response.status, "responseLength": length, "requestTime": proxy.request_time,
                      "requestTimeEpoch": proxy.time_epoch_ms, "identity.sourceIp": proxy.source_ip,
                      "identity.userAgent": proxy.user_agent, "domainName": domain,
                      "responseLatency": int(latency),
                      "integrationLatency": int(outcome.latency_ms) if outcome else None,
                      "integrationStatus": 200 if outcome and outcome.kind in ("ok", "function_error") else None,
                      "integrationErrorMessage": outcome.message if outcome else None}
            write_access_log(self.platform.logs, api.account, api.region, stage.access_log,
                             f"{api.api_id}_{stage.name}", proxy.time_epoch_ms, values)
        dimension_sets = [[{"Name": "ApiId", "Value": api.api_id}],
                          [{"Name": "ApiId", "Value": api.api_id}, {"Name": "Stage", "Value": stage.name}]]
        if log["routeKey"] != "-" and stage.detailed_metrics(log["routeKey"]):
            dimension_sets.append([{"Name": "ApiId", "Value": api.api_id}, {"Name": "Stage", "Value": stage.name},
                                   {"Name": "Route", "Value": log["routeKey"]}])
        figures = api_metrics.RequestFigures(response.status, latency, outcome.latency_ms if outcome else None,
                                             len(proxy.body) + length)
        api_metrics.publish(self.platform.peer("cloudwatch"), api.account, api.region, figures, dimension_sets,
                            http_api=True)


class _Call:
    """One request on its way through a route: builds the integration's and authorizers' events."""

    def __init__(self, api: CompiledApi, stage: CompiledStage, prefix: str, proxy: ProxyRequest, domain: str,
                 match: RouteMatch) -> None:
        self.api, self.stage, self.prefix, self.proxy, self.domain, self.match = api, stage, prefix, proxy, domain, match

    @property
    def route_key(self) -> str:
        return self.match.route["RouteKey"]

    @property
    def route_arn(self) -> str:
        return (f"arn:aws:execute-api:{self.api.region}:{self.api.account}:{self.api.api_id}/{self.stage.name}/"
                f"{self.proxy.method}{self.proxy.raw_path}")

    def event(self, version: str, authorizer: dict[str, Any] | None) -> dict[str, Any]:
        if version == "1.0":
            resource = self.route_key.partition(" ")[2] or "/" if self.route_key != "$default" else "$default"
            return event_v1(self.proxy, Route1(self.api.api_id, self.api.account, self.domain, self.stage.name,
                                               resource, path_prefix=self.prefix, http_api=True),
                            binary=sends_base64(self.proxy), path_parameters=self.match.path_parameters,
                            stage_variables=self.stage.variables, authorizer=authorizer)
        return event_v2(self.proxy, self._route2(), path_parameters=self.match.path_parameters,
                        stage_variables=self.stage.variables, authorizer=authorizer)

    def _route2(self) -> Route2:
        return Route2(self.api.api_id, self.api.account, self.domain, self.route_key, self.stage.name, self.prefix)

    def authorizer_event(self, version: str, identity: list[str]) -> dict[str, Any]:
        """The Lambda authorizer's event (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html)."""
        base = self.event(version, None)
        if version == "1.0":
            base.update({"type": "REQUEST", "methodArn": self.route_arn, "identitySource": ",".join(identity),
                         "authorizationToken": identity[0] if identity else None})
            base.pop("body", None)
            return base
        base.pop("body", None)
        base.pop("isBase64Encoded", None)
        return {"version": "2.0", "type": "REQUEST", "routeArn": self.route_arn, "identitySource": identity,
                **{k: v for k, v in base.items() if k != "version"}}

    def auth_request(self) -> AuthRequest:
        return AuthRequest(self.proxy, self.route_key, self.route_arn, self.stage.variables,
                           self.match.path_parameters, list(self.match.route.get("AuthorizationScopes") or ()),
                           self.authorizer_event)


def _refusal(decision: Decision) -> HttpResponse:
    if decision.status == 401:
        return api_message(401, "Unauthorized")
    if decision.status == 403:
        return api_message(403, "Forbidden")
    return api_message(500, "Internal Server Error")


def _integration_response(outcome: Outcome, version: str) -> HttpResponse:
    """The documented answers: 500 for a function error, 502 for an unreadable answer, 504 after the
    integration timeout, 429 when throttled, 413 for an event Lambda refuses as too large
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html)."""
    if outcome.kind == "ok":
        try:
            return response_v1(outcome.payload) if version == "1.0" else response_v2(outcome.payload)
        except MalformedResponse:
            return api_message(502, "Internal Server Error")
    if outcome.kind == "timeout":
        return api_message(504, "Service Unavailable")
    if outcome.kind == "throttled":
        return api_message(429, "Too Many Requests")
    if outcome.kind == "too_large":
        return api_message(413, "Request Entity Too Large")
    return api_message(500, "Internal Server Error")
