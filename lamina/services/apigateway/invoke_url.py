"""Serving REST APIs' invoke URLs (``/<stage>/<path>``): resource and method, Lambda proxy
integration (payload format 1.0), binary media types, the documented errors
(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html)."""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any

from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.proxy import api_metrics
from lamina.proxy.access_log import write_access_log
from lamina.proxy.event_v1 import Route1, event_v1
from lamina.proxy.execute_api import api_message
from lamina.proxy.lambda_integration import LambdaInvoker, Outcome, function_arn_of
from lamina.proxy.request import ProxyRequest
from lamina.proxy.response_v1 import response_v1
from lamina.proxy.response_v2 import MalformedResponse
from lamina.services.apigatewayv2.routing import Router
from lamina.services.platform import Platform

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # REST APIs' payload limit


@dataclass(slots=True)
class CompiledStage:
    name: str
    variables: dict[str, str]
    access_log: dict[str, Any] | None
    metrics_enabled: bool
    router: Router


@dataclass(slots=True)
class CompiledRestApi:
    api_id: str
    name: str
    account: str
    region: str
    binary_media_types: list[str]
    stages: dict[str, CompiledStage] = field(default_factory=dict)

    @classmethod
    def of(cls, document: dict[str, Any]) -> CompiledRestApi:
        api = document["api"]
        compiled = cls(api["id"], api.get("name", ""), document["account"], document["region"],
                       list(api.get("binaryMediaTypes") or ()))
        for name, stage in document["stages"].items():
            deployment = document["deployments"].get(stage.get("deploymentId") or "")
            if deployment is None:
                continue
            routes = [{"RouteKey": f"{method} {resource['path']}", "resource": resource, "method": definition}
                      for resource in deployment["snapshot"].values()
                      for method, definition in resource["resourceMethods"].items()]
            settings = (stage.get("methodSettings") or {}).get("*/*") or {}
            compiled.stages[name] = CompiledStage(name, dict(stage.get("variables") or {}),
                                                  stage.get("accessLogSettings"),
                                                  bool(settings.get("metricsEnabled")), Router(routes))
        return compiled

    def is_binary(self, content_type: str | None) -> bool:
        media = (content_type or "").split(";", 1)[0].strip().lower()
        return bool(media) and any(fnmatch.fnmatchcase(media, t.lower()) for t in self.binary_media_types)


class RestApiHost:
    """Implements ``lamina.proxy.execute_api.ApiHost`` for REST APIs."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.apis: dict[str, CompiledRestApi] = {}
        self.timeout_s = platform.settings.api_integration_timeout

    def on_change(self, api_id: str, document: dict[str, Any] | None) -> None:
        if document is None:
            self.apis.pop(api_id, None)
        else:
            self.apis[api_id] = CompiledRestApi.of(document)

    def owns(self, api_id: str) -> bool:
        return api_id in self.apis

    def region_of(self, api_id: str) -> str:
        return self.apis[api_id].region

    async def serve(self, api_id: str, raw_path: str, request: HttpRequest, domain: str) -> HttpResponse:
        started = time.perf_counter()
        api = self.apis[api_id]
        stage_name, _, rest = raw_path.lstrip("/").partition("/")
        stage = api.stages.get(stage_name)
        if stage is None:
            return api_message(403, "Forbidden")
        proxy = ProxyRequest.of(request, "/" + rest)
        response, outcome, resource = await self._respond(api, stage, proxy, request, domain)
        response.headers.append(("x-amzn-RequestId", proxy.request_id))
        latency = (time.perf_counter() - started) * 1000
        self._observe(api, stage, proxy, response, outcome, resource, latency)
        return response

    async def _respond(self, api: CompiledRestApi, stage: CompiledStage, proxy: ProxyRequest, request: HttpRequest,
                       domain: str) -> tuple[HttpResponse, Outcome | None, str]:
        if request.oversize or len(request.body) > MAX_REQUEST_BYTES:
            return api_message(413, "Request Too Long"), None, "-"
        match = stage.router.match(proxy.method, proxy.raw_path)
        if match is None:
            # REST APIs answer an unknown resource or method this way, not with 404.
            return api_message(403, "Missing Authentication Token"), None, "-"
        resource, method = match.route["resource"], match.route["method"]
        integration = method.get("methodIntegration") or {}
        function = function_arn_of(integration.get("uri") or "", stage.variables)
        service = self.platform.peer("lambda")
        if function is None or service is None:
            return api_message(500, "Internal server error"), None, resource["path"]
        event = event_v1(proxy, Route1(api.api_id, api.account, domain, stage.name, resource["path"], resource["id"],
                                       path_prefix="/" + stage.name),
                         binary=api.is_binary(proxy.headers.get("content-type")),
                         path_parameters=match.path_parameters, stage_variables=stage.variables)
        timeout = min(self.timeout_s, (integration.get("timeoutInMillis") or 29000) / 1000)
        source = None if integration.get("credentials") else (
            f"arn:aws:execute-api:{api.region}:{api.account}:{api.api_id}/{stage.name}/{proxy.method}"
            f"{resource['path']}")
        outcome = await LambdaInvoker(service).invoke(function, event, proxy.request_id, timeout, source)
        return self._integration_response(api, proxy, outcome), outcome, resource["path"]

    def _integration_response(self, api: CompiledRestApi, proxy: ProxyRequest, outcome: Outcome) -> HttpResponse:
        """502 for a function error or a malformed answer, 504 after the integration timeout
        (https://repost.aws/knowledge-center/malformed-502-api-gateway)."""
        if outcome.kind == "timeout":
            return api_message(504, "Endpoint request timed out")
        if outcome.kind == "throttled":
            return api_message(429, "Too Many Requests")
        if outcome.kind == "too_large":
            return api_message(413, "Request Too Long")
        if outcome.kind == "forbidden":  # "Invalid permissions on Lambda function" in the execution log
            return api_message(500, "Internal server error")
        if outcome.kind != "ok":
            return api_message(502, "Internal server error")
        accept = proxy.headers.get("accept", "").split(",")[0]
        try:
            return response_v1(outcome.payload,
                               binary=lambda content_type: api.is_binary(accept) or api.is_binary(content_type))
        except MalformedResponse:
            return api_message(502, "Internal server error")

    def _observe(self, api: CompiledRestApi, stage: CompiledStage, proxy: ProxyRequest, response: HttpResponse,
                 outcome: Outcome | None, resource: str, latency: float) -> None:
        if stage.access_log:  # the access log's fields are gathered only for a log that is written
            values = {"requestId": proxy.request_id, "extendedRequestId": proxy.request_id, "apiId": api.api_id,
                      "stage": stage.name, "httpMethod": proxy.method, "resourcePath": resource,
                      "path": f"/{stage.name}{proxy.raw_path}", "protocol": "HTTP/1.1", "status": response.status,
                      "responseLength": len(response.body), "requestTime": proxy.request_time,
                      "requestTimeEpoch": proxy.time_epoch_ms, "identity.sourceIp": proxy.source_ip,
                      "identity.userAgent": proxy.user_agent, "responseLatency": int(latency),
                      "integrationLatency": int(outcome.latency_ms) if outcome else None}
            write_access_log(self.platform.logs, api.account, api.region, stage.access_log,
                             f"{api.api_id}_{stage.name}", proxy.time_epoch_ms, values)
        dimension_sets = [[{"Name": "ApiName", "Value": api.name}],
                          [{"Name": "ApiName", "Value": api.name}, {"Name": "Stage", "Value": stage.name}]]
        if stage.metrics_enabled and resource != "-":
            dimension_sets.append([{"Name": "ApiName", "Value": api.name}, {"Name": "Stage", "Value": stage.name},
                                   {"Name": "Method", "Value": proxy.method}, {"Name": "Resource", "Value": resource}])
        figures = api_metrics.RequestFigures(response.status, latency, outcome.latency_ms if outcome else None,
                                             len(proxy.body) + len(response.body))
        api_metrics.publish(self.platform.peer("cloudwatch"), api.account, api.region, figures, dimension_sets,
                            http_api=False)

