"""Runs a request through the handler chain and turns any failure into an AWS-shaped error."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable
from typing import Protocol as TypingProtocol

import orjson

from lamina.gateway.context import RequestContext
from lamina.gateway.handlers import Handler
from lamina.protocol.errors import InternalFailure, ServiceError
from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.random_ids import random_uuid

log = logging.getLogger("lamina.gateway")


class FrontDoor(TypingProtocol):
    """Something served on the port besides the AWS APIs (health, function URLs, API invoke URLs)."""

    def matches(self, request: HttpRequest) -> bool: ...

    async def handle(self, request: HttpRequest) -> HttpResponse: ...


class Chain:
    def __init__(self, handlers: list[Handler], account_id: str,
                 front_doors: list[FrontDoor] | None = None) -> None:
        self.handlers = handlers
        self.account_id = account_id
        self.front_doors: list[FrontDoor] = front_doors or []
        # Like the handlers, an observer with nothing to wait for returns None.
        self.observers: list[Callable[[RequestContext], Awaitable[None] | None]] = []

    async def handle(self, request: HttpRequest) -> HttpResponse:
        for door in self.front_doors:
            if door.matches(request):
                return await door.handle(request)
        ctx = RequestContext(request=request, request_id=random_uuid(), account_id=self.account_id)
        try:
            for handler in self.handlers:
                pending = handler(ctx)
                if pending is not None:
                    await pending
                if ctx.response is not None:
                    break
        except ServiceError as error:
            ctx.response = self.error_response(ctx, error)
        except Exception:
            log.exception("internal failure in %s %s", request.method, request.path)
            ctx.response = self.error_response(ctx, InternalFailure("An internal error occurred in lamina."))
        for observer in self.observers:
            try:
                pending = observer(ctx)
                if pending is not None:
                    await pending
            except Exception:
                log.exception("request observer failed")
        assert ctx.response is not None
        return ctx.response

    def error_response(self, ctx: RequestContext, error: ServiceError) -> HttpResponse:
        if ctx.protocol is not None:
            try:
                return ctx.protocol.serialize_error(error, ctx.operation, ctx.request_id)
            except Exception:
                log.exception("could not serialize %r", error)
        # No service found: a plain JSON error that every AWS SDK can read.
        body = orjson.dumps({"__type": error.code, "message": error.message})
        return HttpResponse(error.status, [
            ("x-amzn-RequestId", ctx.request_id), ("x-amzn-ErrorType", error.code),
            ("Content-Type", "application/x-amz-json-1.1")], body)
