"""A gate a sandboxed function can wait at: a loopback port that answers once the test opens it.

Functions run in their own mount namespace, so files in the test's temporary
directory are invisible to them; the network namespace is shared, as in Lambda.
"""

from __future__ import annotations

import socket
import threading


class Gate:
    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port = self._listener.getsockname()[1]
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._opened.wait(60)
            with connection:
                connection.sendall(b"x")

    def open(self) -> None:
        self._opened.set()

    def close(self) -> None:
        self._opened.set()
        self._listener.close()
