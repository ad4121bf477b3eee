"""The Lambda Runtime API, served to one environment on its own ``host:port``.

Custom runtimes (``provided*``) and the official runtime interface clients talk
to it (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). It
turns the runtime's HTTP calls into the same messages the socket runtimes send
(``ready``, ``init_error``, ``result``, ``error``), so the environment treats
both alike. Each environment gets its own address because awslambdaric's
init-error path parses ``AWS_LAMBDA_RUNTIME_API`` as a bare ``host:port``.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections import deque
from typing import Any

import httptools
import orjson

from lamina.engine.channel import ChannelClosed, Message

PREFIX = "/2018-06-01/runtime"
_INVOCATION_PATH = re.compile(r"^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$")
# Lambda's response payload limit for synchronous invocations
# (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_RESPONSE_BYTES = 6 * 1024 * 1024


class _HttpConnection(asyncio.Protocol):
    """One HTTP/1.1 connection from the runtime (keep-alive; requests answered in order)."""

    def __init__(self, api: RuntimeApi) -> None:
        self.api = api
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body = bytearray()
        self.streaming = False  # this request is a streamed response: its body goes on as it arrives
        self.queue: asyncio.Queue[tuple[str, str, dict[str, str], bytes] | None] = asyncio.Queue()
        self.worker: asyncio.Task | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, but have its methods.
        self.transport = transport  # type: ignore[assignment]
        self.worker = asyncio.get_running_loop().create_task(self._serve())
        self.api.connections.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self._reply(400, {"errorMessage": "malformed request", "errorType": "InvalidRequest"})
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.queue.put_nowait(None)
        self.api.connections.discard(self)

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url, self.headers, self.body, self.streaming = b"", {}, bytearray(), False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        path = httptools.parse_url(self.url).path.decode()
        self.streaming = self.api.begin_stream(self.parser.get_method().decode(), path, self.headers)

    def on_body(self, body: bytes) -> None:
        if self.streaming:
            self.api.stream_chunk(body)
        else:
            self.body += body

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode()
        path = httptools.parse_url(self.url).path.decode()
        self.queue.put_nowait((method, path, self.headers, bytes(self.body)))

    async def _serve(self) -> None:
        while (request := await self.queue.get()) is not None:
            method, path, headers, body = request
            status, reply_headers, reply_body = await self.api.handle(method, path, headers, body)
            self._reply(status, reply_body, reply_headers)

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        payload = body if isinstance(body, bytes) else orjson.dumps(body)
        headers = headers or {}
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}", f"Content-Length: {len(payload)}"]
        if "Content-Type" not in headers:
            lines.append("Content-Type: application/json")
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        if self.transport is not None:
            self.transport.close()


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            413: "Request Entity Too Large", 500: "Internal Server Error"}
ACCEPTED = (202, {"Content-Type": "application/json"}, {"status": "OK"})


class RuntimeApi:
    """One environment's Runtime API endpoint; also its ``Connection`` (see environment.py)."""

    def __init__(self) -> None:
        self.connections: set[_HttpConnection] = set()
        self._server: asyncio.AbstractServer | None = None
        self._messages: deque[Message] = deque()
        self._message_waiter: asyncio.Future[Message] | None = None
        self._invocations: deque[tuple[dict[str, Any], bytes]] = deque()
        self._next_waiter: asyncio.Future[tuple[dict[str, Any], bytes]] | None = None
        self._current: str | None = None  # request id of the invocation in flight
        self._streaming = False  # its response is being streamed
        self._initialized = False
        self._error: BaseException | None = None
        self.address = ""

    async def start(self, host: str = "127.0.0.1") -> str:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _HttpConnection(self), host, 0)
        port = self._server.sockets[0].getsockname()[1]
        self.address = f"{host}:{port}"
        return self.address

    # Connection
    def send(self, header: dict[str, Any], body: bytes = b"") -> None:
        if self._error is not None:
            raise self._error
        waiter = self._next_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((header, body))
        else:
            self._invocations.append((header, body))

    async def receive(self, timeout: float | None = None) -> Message:
        if self._messages:
            return self._messages.popleft()
        if self._error is not None:
            raise self._error
        loop = asyncio.get_running_loop()
        waiter = self._message_waiter = loop.create_future()
        timer = loop.call_later(timeout, _time_out, waiter) if timeout is not None else None
        try:
            return await waiter
        finally:
            self._message_waiter = None
            if timer is not None:
                timer.cancel()

    def fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        for waiter in (self._message_waiter, self._next_waiter):
            if waiter is not None and not waiter.done():
                waiter.set_exception(self._error)

    def close(self) -> None:
        self.fail(ChannelClosed("environment closed"))
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.close()

    def _emit(self, header: dict[str, Any], body: bytes = b"") -> None:
        waiter = self._message_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result((header, body))
        else:
            self._messages.append((header, body))

    # HTTP
    async def handle(self, method: str, path: str, headers: dict[str, str],
                     body: bytes) -> tuple[int, dict[str, str], Any]:
        if method == "GET" and path == f"{PREFIX}/invocation/next":
            return await self._next()
        if method == "POST" and path == f"{PREFIX}/init/error":
            if self._initialized:
                return 403, {}, {"errorMessage": "Init error can only be reported during init",
                                 "errorType": "InvalidStateTransition"}
            error_type = headers.get("lambda-runtime-function-error-type") or "Runtime.InitError"
            self._emit({"type": "init_error", "error_type": error_type}, body or _unknown_error(error_type))
            return ACCEPTED
        match = _INVOCATION_PATH.match(path)
        if method == "POST" and match:
            request_id, outcome = match.groups()
            if request_id != self._current:
                return 400, {}, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
            if self._streaming:
                # The streamed body went on as it arrived; trailers report an error in mid-stream.
                self._streaming = False
                self._current = None
                error_type = headers.get("lambda-runtime-function-error-type")
                if error_type:
                    self._emit({"type": "error", "error_type": error_type},
                               _trailer_body(headers.get("lambda-runtime-function-error-body"), error_type))
                else:
                    self._emit({"type": "result"})
                return ACCEPTED
            if outcome == "response" and len(body) > MAX_RESPONSE_BYTES:
                return 413, {}, {"errorMessage": "Exceeded maximum allowed payload size "
                                                 f"({MAX_RESPONSE_BYTES} bytes).",
                                 "errorType": "RequestEntityTooLarge"}
            self._current = None
            if outcome == "response":
                self._emit({"type": "result"}, body)
            else:
                error_type = headers.get("lambda-runtime-function-error-type") or "Runtime.Unknown"
                self._emit({"type": "error", "error_type": error_type}, body or _unknown_error(error_type))
            return ACCEPTED
        return 404, {}, {"errorMessage": "Not found", "errorType": "NotFound"}

    def begin_stream(self, method: str, path: str, headers: dict[str, str]) -> bool:
        """Called when a request's headers are in: a streamed response of the invocation in flight
        (``Lambda-Runtime-Function-Response-Mode: streaming``, https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming)
        starts here, and its body chunks are passed on as ``stream_chunk`` messages as they arrive."""
        if method != "POST" or headers.get("lambda-runtime-function-response-mode", "").lower() != "streaming":
            return False
        match = _INVOCATION_PATH.match(path)
        if not match or match.group(2) != "response" or match.group(1) != self._current:
            return False
        self._streaming = True
        self._emit({"type": "stream_begin", "content_type": headers.get("content-type") or ""})
        return True

    def stream_chunk(self, chunk: bytes) -> None:
        self._emit({"type": "stream_chunk"}, chunk)

    async def _next(self) -> tuple[int, dict[str, str], Any]:
        if not self._initialized:
            self._initialized = True
            self._emit({"type": "ready"})
        if self._invocations:
            header, body = self._invocations.popleft()
        else:
            self._next_waiter = asyncio.get_running_loop().create_future()
            try:
                header, body = await self._next_waiter
            except ChannelClosed:
                return 500, {}, {"errorMessage": "environment shutting down", "errorType": "ShuttingDown"}
            finally:
                self._next_waiter = None
        self._current = header["request_id"]
        reply = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": header["request_id"],
            "Lambda-Runtime-Deadline-Ms": str(header["deadline_ms"]),
            "Lambda-Runtime-Invoked-Function-Arn": header["invoked_function_arn"],
            "Lambda-Runtime-Trace-Id": header.get("trace_id") or "",
        }
        if header.get("client_context"):
            reply["Lambda-Runtime-Client-Context"] = header["client_context"]
        if header.get("cognito_identity"):
            reply["Lambda-Runtime-Cognito-Identity"] = header["cognito_identity"]
        return 200, reply, body


def _trailer_body(encoded: str | None, error_type: str) -> bytes:
    """The error document of a failed stream: base64 in the Lambda-Runtime-Function-Error-Body trailer."""
    try:
        return base64.b64decode(encoded or "", validate=True) or _unknown_error(error_type)
    except ValueError:
        return _unknown_error(error_type)


def _unknown_error(error_type: str) -> bytes:
    return orjson.dumps({"errorMessage": "", "errorType": error_type})


def _time_out(waiter: asyncio.Future[Message]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())
