"""A function's streamed response on its way to the HTTP client (function URLs in RESPONSE_STREAM mode).

The engine hands the chunks over as the runtime writes them (``lamina.engine.api.ResponseStream``);
this turns them into an HTTP response whose body is sent as they come. A stream of type
``application/vnd.awslambda.http-integration-response`` starts with a JSON prelude (statusCode,
headers, cookies) ended by 8 NUL bytes, which is what ``awslambda.HttpResponseStream.from`` writes
(https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html,
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming).
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import orjson

from lamina.protocol.http import HttpResponse
from lamina.proxy.response_v2 import MalformedResponse, described_response

HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
PRELUDE_END = b"\0" * 8
_END = b""  # queued when the invocation is over


class StreamedResponse:
    """Collects a streamed response; ``begin``/``write`` come from the engine, ``close`` when the run ends."""

    def __init__(self) -> None:
        self.content_type: str | None = None
        self._chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self._changed = asyncio.Event()
        self.closed = False

    # lamina.engine.api.ResponseStream
    def begin(self, content_type: str) -> None:
        self.content_type = content_type
        self._changed.set()

    def write(self, chunk: bytes) -> None:
        if chunk:
            self._chunks.put_nowait(chunk)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._chunks.put_nowait(_END)
            self._changed.set()

    async def started(self) -> bool:
        """Wait until the runtime opens the stream (True) or the invocation ends without one (False)."""
        while self.content_type is None and not self.closed:
            self._changed.clear()
            await self._changed.wait()
        return self.content_type is not None

    async def response(self) -> HttpResponse:
        """The HTTP response, its body still arriving; raises MalformedResponse for a bad prelude."""
        if self.content_type != HTTP_INTEGRATION:
            return HttpResponse(200, [("Content-Type", self.content_type or "application/octet-stream")],
                                stream=self._body(b""))
        prelude, rest = await self._prelude()
        try:
            document = orjson.loads(prelude) if prelude.strip() else {}
        except orjson.JSONDecodeError:
            raise MalformedResponse("the stream's prelude is not JSON") from None
        if not isinstance(document, dict):
            raise MalformedResponse("the stream's prelude is not an object")
        head = described_response({"statusCode": document.get("statusCode", 200), **document, "body": None},
                                  cookies=True)
        return HttpResponse(head.status, head.headers, stream=self._body(rest))

    async def _prelude(self) -> tuple[bytes, bytes]:
        buffer = b""
        while PRELUDE_END not in buffer:
            chunk = await self._chunks.get()
            if chunk == _END:
                self._chunks.put_nowait(_END)
                return buffer, b""
            buffer += chunk
        prelude, _, rest = buffer.partition(PRELUDE_END)
        return prelude, rest

    async def _body(self, first: bytes) -> AsyncIterator[bytes]:
        if first:
            yield first
        while (chunk := await self._chunks.get()) != _END:
            yield chunk
