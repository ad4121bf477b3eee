"""lamina's own endpoints under /_lamina/ (health, code downloads): not AWS APIs, never signed."""

from __future__ import annotations

from typing import Awaitable, Callable

import orjson

from lamina import __version__
from lamina.protocol.http import HttpRequest, HttpResponse

PREFIX = "/_lamina/"
RouteHandler = Callable[[HttpRequest, str], Awaitable[HttpResponse]]


def json_response(status: int, document: object) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], orjson.dumps(document))


class InternalRoutes:
    """Routes by the first path segment after /_lamina/; the rest of the path goes to the handler."""

    def __init__(self) -> None:
        self.routes: dict[str, RouteHandler] = {}
        self.ready = False
        self.health_details: Callable[[], dict] = dict
        self.add("health", self._health)

    def add(self, name: str, handler: RouteHandler) -> None:
        self.routes[name] = handler

    def matches(self, request: HttpRequest) -> bool:
        return request.path.startswith(PREFIX)

    async def handle(self, request: HttpRequest) -> HttpResponse:
        name, _, rest = request.path[len(PREFIX):].partition("/")
        handler = self.routes.get(name)
        if handler is None:
            return json_response(404, {"message": f"no such lamina endpoint: {request.path}"})
        return await handler(request, rest)

    async def _health(self, request: HttpRequest, rest: str) -> HttpResponse:
        if not self.ready:
            return json_response(503, {"status": "starting", "version": __version__})
        return json_response(200, {"status": "ok", "version": __version__, **self.health_details()})
