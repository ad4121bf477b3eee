"""Streamed responses: chunks reach the invocation's ResponseStream while the function still runs
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html,
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming)."""

from __future__ import annotations

import json

import pytest

from tests.engine.conftest import Harness
from tests.gate import Gate

# Writes "first;", then waits at a gate (a loopback port, see tests/gate.py) that the receiving side opens
# when "first;" arrives: the invocation can only finish if the first chunk was delivered before it returned.
NODE_STREAMING = {
    "app.js": """
        const net = require('net');
        exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
          responseStream.setContentType('text/plain');
          responseStream.write('first;');
          const gate = event.gate || JSON.parse(event.body).gate;  // a direct event or a function URL's
          await new Promise((resolve, reject) => {
            const socket = net.connect(gate, '127.0.0.1');
            socket.once('data', () => { socket.destroy(); resolve(); });
            socket.once('error', reject);
          });
          responseStream.write('second');
          responseStream.end();
        });
    """,
}

CUSTOM_STREAMING = {
    "bootstrap": '#!/bin/sh\nexec /usr/bin/python3 -S "$LAMBDA_TASK_ROOT/runtime.py"\n',
    "runtime.py": """
        import base64, http.client, json, os, socket
        host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
        api = http.client.HTTPConnection(host, int(port))
        while True:
            api.request("GET", "/2018-06-01/runtime/invocation/next")
            reply = api.getresponse()
            event = json.loads(reply.read())
            request_id = reply.getheader("Lambda-Runtime-Aws-Request-Id")
            api.putrequest("POST", f"/2018-06-01/runtime/invocation/{request_id}/response")
            api.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
            api.putheader("Transfer-Encoding", "chunked")
            api.putheader("Content-Type", "text/plain")
            api.putheader("Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body")
            api.endheaders()
            def chunk(data):
                api.send(b"%x\\r\\n%s\\r\\n" % (len(data), data))
            chunk(b"first;")
            gate = event.get("gate") or json.loads(event["body"])["gate"]  # direct, or a function URL's
            with socket.create_connection(("127.0.0.1", gate)) as waiting:
                waiting.recv(1)
            if event.get("fail"):
                document = base64.b64encode(json.dumps({"errorType": "Custom.Broken", "errorMessage": "mid-stream"}).encode())
                api.send(b"0\\r\\nLambda-Runtime-Function-Error-Type: Custom.Broken\\r\\n"
                         b"Lambda-Runtime-Function-Error-Body: " + document + b"\\r\\n\\r\\n")
            else:
                chunk(b"second")
                api.send(b"0\\r\\n\\r\\n")
            api.getresponse().read()
    """,
}


class RecordingStream:
    """A ResponseStream that opens the gate when the first chunk arrives."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.content_type: str | None = None
        self.chunks: list[bytes] = []

    def begin(self, content_type: str) -> None:
        self.content_type = content_type

    def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.gate.open()


@pytest.mark.parametrize("files,runtime,handler", [
    (NODE_STREAMING, "nodejs20.x", "app.handler"),
    (CUSTOM_STREAMING, "provided.al2023", "function.handler"),
], ids=["nodejs-streamifyResponse", "custom-runtime-streaming-mode"])
def test_chunks_arrive_before_the_function_returns(harness: Harness, files: dict[str, str],
                                                   runtime: str, handler: str) -> None:
    spec = harness.function(files, runtime=runtime, handler=handler, timeout_s=10.0)
    gate = Gate()
    stream = RecordingStream(gate)
    try:
        result = harness.run(harness.engine.invoke(spec, harness.invocation(spec, {"gate": gate.port},
                                                                            response_stream=stream)))
    finally:
        gate.close()
    assert result.function_error is None, result.payload
    assert result.streamed
    assert stream.content_type == "text/plain"
    assert b"".join(stream.chunks) == b"first;second"
    assert stream.chunks[0] == b"first;"


def test_without_a_stream_the_response_is_buffered(harness: Harness) -> None:
    spec = harness.function(NODE_STREAMING, runtime="nodejs20.x", timeout_s=10.0)
    gate = Gate()
    gate.open()  # nobody receives chunks here: let the function run through
    try:
        result = harness.invoke(spec, {"gate": gate.port})
    finally:
        gate.close()
    assert result.function_error is None and result.streamed
    assert result.payload == b"first;second"


def test_an_error_trailer_fails_the_invocation(harness: Harness) -> None:
    spec = harness.function(CUSTOM_STREAMING, runtime="provided.al2023", handler="function.handler")
    gate = Gate()
    stream = RecordingStream(gate)
    try:
        result = harness.run(harness.engine.invoke(spec, harness.invocation(spec, {"gate": gate.port, "fail": 1},
                                                                            response_stream=stream)))
    finally:
        gate.close()
    assert stream.chunks == [b"first;"]
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {"errorType": "Custom.Broken", "errorMessage": "mid-stream"}
