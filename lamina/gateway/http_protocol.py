"""uvicorn's httptools protocol, sending a response's head and body together.

uvicorn writes a response's status line and headers when the app sends ``http.response.start`` and the
body when it sends ``http.response.body``: two ``send`` calls, and with TCP_NODELAY two segments, so the
client wakes up twice and the loopback path runs twice for one small response. Here a write is held
until the next one, and the two leave in one send at once; a write with no successor in the same turn
of the event loop (a head whose body comes later, the last chunk of a stream) leaves at the end of that
turn, and closing the connection sends what is held first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _PairingTransport:
    """The connection's transport, sending each held write with the one after it."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:
            self._held = data
            self._loop.call_soon(self._send_held)
        else:
            self._held = None
            self._transport.write(held + data)

    def _send_held(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self._send_held()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, pause_reading, resume_reading, ...
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(_PairingTransport(transport, self.loop))  # type: ignore[arg-type]
