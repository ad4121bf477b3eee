"""CORS as a browser enforces it: headless Chromium on a page of another origin fetches a function
URL and an HTTP API with a non-simple request, so the browser sends a preflight and checks the answers
(https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from tests.functions import unique_name
from tests.http_clients import allow_api_gateway, allow_public_url, create_python_function
from tests.lamina_server import LaminaServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags machines here need: root, no GPU, and no background traffic to the closed network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=15000", "--dump-dom"]
HELLO = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "hello-from-" + event["requestContext"]["http"]["method"]}
"""
PAGE = """<!doctype html><html><body><pre id="out">pending</pre><script>
fetch(%r, {method: "PUT", headers: {"X-Custom": "1", "Content-Type": "application/json"}, body: "{}"})
  .then((r) => r.text()).then((t) => { document.getElementById("out").textContent = "OK:" + t; })
  .catch((e) => { document.getElementById("out").textContent = "BLOCKED:" + e.name; });
</script></body></html>"""

# CI installs Chromium (.ci/run), so there a missing browser fails the test instead of skipping it.
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed here (.ci/run installs it)")


class _Pages:
    """Serves one page per path on its own origin (http://127.0.0.1:<port>)."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = pages.get(self.path, "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def pages() -> Iterator[_Pages]:
    served = _Pages()
    try:
        yield served
    finally:
        served.close()


def _browser_result(pages: _Pages, name: str, target: str) -> str:
    pages.pages[f"/{name}"] = PAGE % target
    with tempfile.TemporaryDirectory() as profile:
        assert CHROMIUM is not None, "Debian's chromium is needed: apt-get install chromium"
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"{pages.origin}/{name}"],
                             capture_output=True, text=True, timeout=90).stdout
    start = dom.index('<pre id="out">') + len('<pre id="out">')
    return dom[start:dom.index("</pre>", start)]


def test_function_url_cors_in_a_browser(server: LaminaServer, pages: _Pages) -> None:
    client = server.client("lambda")
    allowed = unique_name("cors-ok")
    create_python_function(server, allowed, HELLO)
    url = client.create_function_url_config(FunctionName=allowed, AuthType="NONE", Cors={
        "AllowOrigins": [pages.origin], "AllowMethods": ["PUT"], "AllowHeaders": ["x-custom", "content-type"]})
    allow_public_url(client, allowed)
    assert _browser_result(pages, "allowed", url["FunctionUrl"]) == "OK:hello-from-PUT"

    refused = unique_name("cors-no")
    create_python_function(server, refused, HELLO)
    other = client.create_function_url_config(FunctionName=refused, AuthType="NONE", Cors={
        "AllowOrigins": ["https://somewhere.else"], "AllowMethods": ["PUT"], "AllowHeaders": ["x-custom"]})
    allow_public_url(client, refused)
    assert _browser_result(pages, "refused", other["FunctionUrl"]) == "BLOCKED:TypeError"


def test_http_api_cors_in_a_browser(server: LaminaServer, pages: _Pages) -> None:
    arn = allow_api_gateway(server, create_python_function(server, unique_name("cors-api"), HELLO))
    api = server.client("apigatewayv2").create_api(
        Name=unique_name("cors"), ProtocolType="HTTP", Target=arn,
        CorsConfiguration={"AllowOrigins": [pages.origin], "AllowMethods": ["*"], "AllowHeaders": ["*"]})
    assert _browser_result(pages, "api", api["ApiEndpoint"] + "/things") == "OK:hello-from-PUT"
