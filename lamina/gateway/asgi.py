"""The ASGI application: HTTP in, the chain, HTTP out."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from lamina.gateway.chain import Chain
from lamina.protocol.http import HttpRequest, HttpResponse

log = logging.getLogger("lamina")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class RequestTooLarge(Exception):
    pass


Hook = Callable[[], Awaitable[None]]


class GatewayApp:
    def __init__(self, chain: Chain, max_request_bytes: int, on_startup: Hook | None = None,
                 on_shutdown: Hook | None = None) -> None:
        self.chain = chain
        self.max_request_bytes = max_request_bytes
        self.on_startup = on_startup
        self.on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        # ASGI servers give header names in lower case (ASGI HTTP spec, "headers").
        lines = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        headers = dict(lines)
        if len(headers) != len(lines):  # a repeated header: its values joined with ",", as HTTP allows
            headers = {}
            for name, value in lines:
                headers[name] = f"{headers[name]},{value}" if name in headers else value
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else scope["path"]
        client = scope.get("client")
        request = HttpRequest(
            method=scope["method"], path=path.split("?", 1)[0],
            query=scope.get("query_string", b"").decode("latin-1"), headers=headers,
            client_ip=client[0] if client else "", scheme=scope.get("scheme", "http"), header_lines=lines)
        try:
            request.body = await self._read_body(receive, headers)
        except RequestTooLarge:
            request.oversize = True
        response = await self.chain.handle(request)
        await self._send(response, send)

    async def _read_body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_request_bytes:
            raise RequestTooLarge()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.max_request_bytes:
                    raise RequestTooLarge()
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    @staticmethod
    async def _send(response: HttpResponse, send: Send) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        if response.stream is None:
            headers.append((b"content-length", str(len(response.body)).encode()))
            await send({"type": "http.response.start", "status": response.status, "headers": headers})
            await send({"type": "http.response.body", "body": response.body})
            return
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        async for chunk in response.stream:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self.on_startup is not None:
                        await self.on_startup()
                except Exception as exc:
                    log.exception("lamina failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    if self.on_shutdown is not None:
                        await self.on_shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return
