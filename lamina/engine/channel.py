"""The engine's end of the stream socket to an environment's runtime.

Frames are ``!II`` (header length, body length), a JSON header and a raw body;
the runtimes' ends are in ``runtimes/python/bootstrap.py`` and
``runtimes/nodejs/bootstrap.js``. The runtime only speaks when it has something
to say about the one thing it is doing (init, or the one invocation in flight),
so messages need no ids: the engine sends, then receives the next message.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections import deque
from typing import Any

import orjson

FRAME = struct.Struct("!II")

Message = tuple[dict[str, Any], bytes]


class ChannelClosed(Exception):
    """The runtime's end went away (its process exited or closed the socket)."""


class Channel(asyncio.Protocol):
    """Frames over one end of a socketpair; ``receive`` waits for the runtime's next message."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._pending: deque[Message] = deque()
        self._waiter: asyncio.Future[Message] | None = None
        self._error: BaseException | None = None
        self._transport: asyncio.Transport | None = None

    @classmethod
    async def open(cls, sock: socket.socket) -> Channel:
        loop = asyncio.get_running_loop()
        _, channel = await loop.connect_accepted_socket(cls, sock)
        return channel

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, but have its methods.
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= FRAME.size:
            header_len, body_len = FRAME.unpack_from(buffer)
            end = FRAME.size + header_len + body_len
            if len(buffer) < end:
                return
            try:
                header = orjson.loads(bytes(buffer[FRAME.size:FRAME.size + header_len]))
            except orjson.JSONDecodeError:
                self.fail(ChannelClosed("runtime sent a malformed frame"))
                return
            body = bytes(buffer[FRAME.size + header_len:end])
            del buffer[:end]
            waiter = self._waiter
            if waiter is not None and not waiter.done():
                waiter.set_result((header, body))
            else:
                self._pending.append((header, body))

    def connection_lost(self, exc: Exception | None) -> None:
        self.fail(ChannelClosed("runtime closed the channel"))

    # the engine's side
    def send(self, header: dict[str, Any], body: bytes = b"") -> None:
        if self._error is not None or self._transport is None or self._transport.is_closing():
            raise ChannelClosed("channel closed")
        encoded = orjson.dumps(header)
        self._transport.write(FRAME.pack(len(encoded), len(body)) + encoded + body)

    async def receive(self, timeout: float | None = None) -> Message:
        """The runtime's next message; TimeoutError after ``timeout`` s, or the error given to ``fail``."""
        if self._pending:
            return self._pending.popleft()
        if self._error is not None:
            raise self._error
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(timeout, self._time_out, waiter) if timeout is not None else None
        try:
            return await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def fail(self, error: BaseException) -> None:
        """End the channel with ``error``: a pending and every later ``receive`` raise it."""
        if self._error is None:
            self._error = error
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(self._error)

    def close(self) -> None:
        self.fail(ChannelClosed("channel closed"))
        if self._transport is not None:
            self._transport.close()

    @staticmethod
    def _time_out(waiter: asyncio.Future[Message]) -> None:
        if not waiter.done():
            waiter.set_exception(TimeoutError())
