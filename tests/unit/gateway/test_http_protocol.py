"""A response's head and body leave in one send; nothing written waits past the end of its loop turn."""

from __future__ import annotations

import asyncio
import socket

from lamina.gateway.http_protocol import _PairingTransport


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


def test_a_head_leaves_with_its_body_at_once_and_a_lone_write_at_the_end_of_the_turn() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        sends: list[bytes] = []
        real_write = transport.write
        transport.write = lambda data: (sends.append(data), real_write(data))  # type: ignore[method-assign]
        paired = _PairingTransport(transport, asyncio.get_running_loop())
        paired.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        assert sends == []  # held for its body
        paired.write(b"{}")
        assert sends == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]  # sent at once, not a turn later
        paired.write(b"last chunk")  # nothing follows it in this turn
        assert len(sends) == 1
        await asyncio.sleep(0)
        assert sends[1:] == [b"last chunk"]
        assert b"".join(_received(peer)) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}last chunk"
        transport.close()
        peer.close()

    asyncio.run(scenario())


def test_closing_sends_what_is_held_first() -> None:
    async def scenario() -> None:
        transport, peer = await _pair()
        buffered = _PairingTransport(transport, asyncio.get_running_loop())
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
        buffered = _PairingTransport(transport, asyncio.get_running_loop())
        assert buffered.get_extra_info("socket") is transport.get_extra_info("socket")
        buffered.pause_reading()
        assert not transport.is_reading()
        buffered.resume_reading()
        assert transport.is_reading()
        transport.close()
        peer.close()

    asyncio.run(scenario())
