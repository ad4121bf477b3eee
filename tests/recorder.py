"""An HTTP endpoint functions report to, so tests can observe what sandboxed functions did.

Functions cannot write into the test's directories (they run in their own mount
namespace) but share the network, as in Lambda. Each POSTed JSON document is
kept; the reply says how many documents with the same ``key`` came before it.
Tests wait on a condition, not by sleeping.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


class Recorder:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                document = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with recorder._changed:
                    recorder.records.append(document)
                    seen = sum(1 for r in recorder.records if r.get("key") == document.get("key"))
                    recorder._changed.notify_all()
                body = json.dumps({"seen": seen}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # dozens of functions report at once; the default backlog of 5 refuses them
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def wait_for(self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 30.0) -> list[dict]:
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.records), timeout):
                raise AssertionError(f"the recorder did not see what was expected in {timeout} s: "
                                     f"{len(self.records)} records")
            return list(self.records)

    def of(self, key: str) -> list[dict[str, Any]]:
        with self._changed:
            return [r for r in self.records if r.get("key") == key]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
