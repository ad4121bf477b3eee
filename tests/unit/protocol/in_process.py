"""A real botocore client whose requests are answered in process by our protocol layer.

The client runs all of its own code (serializer, handlers, retries off,
parser, error factory); only the socket is replaced: botocore's
``before-send`` event hands us the prepared request and takes our response.
The family of each request is chosen by ``request_family``, as the gateway does.
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlsplit

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpRequest
from lamina.protocol.models import load_service_model
from lamina.protocol.registry import protocol_for, request_family

Handler = Callable[[str, dict[str, Any]], dict[str, Any] | None]


class _Raw:
    """The part of a urllib3 response botocore reads a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_args: Any, **_kwargs: Any):  # noqa: ANN201 - mirrors urllib3
        yield self._body

    def read(self, *_args: Any, **_kwargs: Any) -> bytes:
        body, self._body = self._body, b""
        return body


class Recorder:
    """Remembers what each request looked like on the wire and how it was read."""

    def __init__(self) -> None:
        self.families: list[str] = []
        self.requests: list[HttpRequest] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []


def in_process_client(service_name: str, handler: Handler, *, config: Config | None = None,
                      session_protocol: str | None = None) -> tuple[Any, Recorder]:
    session = botocore.session.get_session()
    client = session.create_client(
        service_name, region_name="us-east-1", endpoint_url="http://localhost:9060",
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
        config=(config or Config()).merge(Config(retries={"max_attempts": 1})))
    model = load_service_model(service_name)
    recorder = Recorder()

    def answer(request: Any, **_kwargs: Any) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body or b""
        if not isinstance(body, bytes):
            body = body.encode() if isinstance(body, str) else body.read()
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        http = HttpRequest(request.method, url.path or "/", url.query, headers, body)
        family = request_family(model, http)
        protocol = protocol_for(model, family)
        recorder.families.append(family)
        recorder.requests.append(http)
        operation = None
        try:
            operation, params = protocol.parse(http)
            recorder.calls.append((operation.name, params))
            response = protocol.serialize_result(operation, handler(operation.name, params), "req-in-process")
        except ServiceError as error:
            response = protocol.serialize_error(error, operation, "req-in-process")
        return AWSResponse(request.url, response.status, dict(response.headers), _Raw(response.body))

    client.meta.events.register("before-send", answer)
    return client, recorder
