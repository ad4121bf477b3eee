"""The invoke URLs of API Gateway APIs on lamina's port, for HTTP APIs and REST APIs alike.

- host form: ``http://<api-id>.execute-api.<region>.localhost:<port>/<stage>/<path>`` (the ``ApiEndpoint``
  the control plane reports; an HTTP API's ``$default`` stage answers without the stage segment);
- path form: ``http://127.0.0.1:<port>/_lamina/execute-api/<api-id>/<stage>/<path>``.

API ids are unique across both kinds, as in AWS; each service registers the APIs it owns.
"""

from __future__ import annotations

from typing import Any, Protocol

import orjson

from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.proxy.hosts import hostname, service_host, split_path_form

PATH_FORM = "execute-api"


class ApiHost(Protocol):
    """A service that serves invoke URLs (apigatewayv2 for HTTP APIs, apigateway for REST APIs)."""

    def owns(self, api_id: str) -> bool: ...

    def region_of(self, api_id: str) -> str: ...

    async def serve(self, api_id: str, raw_path: str, request: HttpRequest, domain: str) -> HttpResponse: ...


def api_message(status: int, message: str, request_id: str = "") -> HttpResponse:
    """API Gateway's own error responses: ``{"message": ...}``."""
    headers = [("Content-Type", "application/json")]
    if request_id:
        headers.append(("apigw-requestid", request_id))
    return HttpResponse(status, headers, orjson.dumps({"message": message}))


class ExecuteApiDoor:
    """A front door (``lamina.gateway.chain.FrontDoor``) for every API's invoke URL."""

    def __init__(self) -> None:
        self.hosts: list[ApiHost] = []

    def matches(self, request: HttpRequest) -> bool:
        return service_host(request.host, "execute-api") is not None

    async def handle(self, request: HttpRequest) -> HttpResponse:
        found = service_host(request.host, "execute-api")
        assert found is not None
        return await self._serve(found[0], request.path, request, hostname(request.host))

    async def handle_path_form(self, request: HttpRequest, rest: str) -> HttpResponse:
        api_id, path = split_path_form(rest)
        host = self._owner(api_id)
        domain = f"{api_id}.execute-api.{host.region_of(api_id)}.localhost" if host else api_id
        return await self._serve(api_id, path, request, domain)

    def _owner(self, api_id: str) -> ApiHost | None:
        return next((host for host in self.hosts if host.owns(api_id)), None)

    async def _serve(self, api_id: str, raw_path: str, request: HttpRequest, domain: str) -> HttpResponse:
        host = self._owner(api_id)
        if host is None:
            return api_message(403, "Forbidden")  # what AWS answers for an API that does not exist
        return await host.serve(api_id, raw_path, request, domain)


def execute_api_door(platform: Any) -> ExecuteApiDoor:
    """The node's one door for invoke URLs, created (and its path form registered) on first use."""
    for door in platform.front_doors:
        if isinstance(door, ExecuteApiDoor):
            return door
    door = ExecuteApiDoor()
    platform.front_doors.append(door)
    platform.internal.add(PATH_FORM, door.handle_path_form)
    return door
