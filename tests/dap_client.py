"""A Debug Adapter Protocol client, as an editor speaks it to debugpy
(https://microsoft.github.io/debug-adapter-protocol/specification): Content-Length framed JSON over TCP."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from typing import Any


class DapClient:
    def __init__(self, port: int, timeout: float = 30) -> None:
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(None)
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.pending: list[dict[str, Any]] = []
        self.seq = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length"))
                while len(buffer) < length:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                self.messages.put(json.loads(body))
        except OSError:
            return

    def send(self, command: str, **arguments: Any) -> int:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.seq

    def wait(self, predicate, what: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        for index, message in enumerate(self.pending):
            if predicate(message):
                return self.pending.pop(index)
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {what} from the debug adapter; got {self.pending}")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if predicate(message):
                return message
            self.pending.append(message)

    def response(self, seq: int) -> dict[str, Any]:
        message = self.wait(lambda m: m.get("type") == "response" and m.get("request_seq") == seq,
                            f"response to request {seq}")
        assert message["success"], message
        return message

    def request(self, command: str, **arguments: Any) -> dict[str, Any]:
        return self.response(self.send(command, **arguments))

    def event(self, name: str) -> dict[str, Any]:
        return self.wait(lambda m: m.get("type") == "event" and m.get("event") == name, f"{name!r} event")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
