"""uvicorn's httptools protocol, sending what a response writes in one loop turn as one segment.

uvicorn writes a response's status line and headers when the app sends ``http.response.start`` and the
body when it sends ``http.response.body``: two ``send`` calls, and with TCP_NODELAY two segments, so the
client wakes up twice and the loopback path runs twice for one small response. Here the writes of one turn
of the event loop are held and sent together at the end of the turn; a streamed response still leaves in
the turn that wrote each chunk, and closing the connection sends what is held first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _TurnBufferedTransport:
    """The connection's transport, with writes of the same loop turn joined into one."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self._send_held)
        self._held.append(data)

    def _send_held(self) -> None:
        held, self._held = self._held, []
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self._send_held()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, pause_reading, resume_reading, ...
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(_TurnBufferedTransport(transport, self.loop))  # type: ignore[arg-type]
