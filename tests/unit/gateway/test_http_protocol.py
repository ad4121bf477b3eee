"""Writes of one loop turn leave as one: a response's head and body go out in a single send."""

from __future__ import annotations

import asyncio
import socket

from lamina.gateway.http_protocol import _TurnBufferedTransport


async def _pair() -> tuple[asyncio.Transport, socket.socket]:
    ours, theirs = socket.socketpair()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    theirs.setblocking(False)
    return transport, theirs


def _received(sock: socket.socket) -> list[bytes]:
    """What has arrived so far (up to the end of the stream, if the other side closed)."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return chunks
        if not chunk:
            return chunks
        chunks.append(chunk)


def test_writes_of_one_turn_are_sent_together_at_its_end() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        sends: list[bytes] = []
        real_write = transport.write
        transport.write = lambda data: (sends.append(data), real_write(data))  # type: ignore[method-assign]
        buffered = _TurnBufferedTransport(transport, asyncio.get_running_loop())
        buffered.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        buffered.write(b"{}")
        assert sends == []  # held until the turn ends
        await asyncio.sleep(0)
        assert sends == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        buffered.write(b"next")  # a later turn: sent in its own send
        await asyncio.sleep(0)
        assert sends[1:] == [b"next"]
        assert b"".join(_received(peer)) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}next"
        transport.close()
        peer.close()

    asyncio.run(scenario())


def test_closing_sends_what_is_held_first() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        buffered = _TurnBufferedTransport(transport, asyncio.get_running_loop())
        buffered.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        buffered.close()
        assert buffered.is_closing()
        await asyncio.sleep(0.01)
        assert b"".join(_received(peer)) == b"HTTP/1.1 400 Bad Request\r\n\r\n"
        peer.close()

    asyncio.run(scenario())


def test_other_transport_calls_reach_the_connection() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        buffered = _TurnBufferedTransport(transport, asyncio.get_running_loop())
        assert buffered.get_extra_info("socket") is transport.get_extra_info("socket")
        buffered.pause_reading()
        assert not transport.is_reading()
        buffered.resume_reading()
        assert transport.is_reading()
        transport.close()
        peer.close()

    asyncio.run(scenario())
