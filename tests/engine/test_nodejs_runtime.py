"""Node.js functions with the machine's node: handler ``file.export``, async and callback styles
(https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html)."""

from __future__ import annotations

import json
import re

import pytest

from lamina.engine.runtimes.catalog import NODE_RUNTIMES, find_runtime
from tests.engine.conftest import Harness

# The node runtimes this machine has (the one matching its node's major version).
AVAILABLE = [name for name in NODE_RUNTIMES if find_runtime(name) is not None]
RUNTIME = AVAILABLE[0] if AVAILABLE else "nodejs20.x"


def test_this_machine_has_a_node_runtime() -> None:
    assert AVAILABLE, "no node found: install Node.js (the tests below need it)"


def test_async_handler(harness: Harness) -> None:
    spec = harness.function({"index.js": """
        exports.handler = async (event, context) => {
          return { doubled: event.n * 2, requestId: context.awsRequestId, fn: context.functionName,
                   memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(),
                   pid: process.pid };
        };
    """}, runtime=RUNTIME, handler="index.handler")
    invocation = harness.invocation(spec, {"n": 21})
    result = harness.run(harness.engine.invoke(spec, invocation))
    body = json.loads(result.payload)
    assert body["doubled"] == 42 and body["requestId"] == invocation.request_id
    assert body["fn"] == spec.function_name and body["memory"] == "128" and 0 < body["remaining"] <= 3000
    again = json.loads(harness.invoke(spec, {"n": 1}).payload)
    assert again["pid"] == body["pid"]


def test_callback_handler(harness: Harness) -> None:
    spec = harness.function({"app.js": """
        exports.handler = function (event, context, callback) {
          setTimeout(() => callback(null, { greeting: 'hello ' + event.name }), 10);
        };
    """}, runtime=RUNTIME, handler="app.handler")
    assert json.loads(harness.invoke(spec, {"name": "node"}).payload) == {"greeting": "hello node"}


def test_callback_error(harness: Harness) -> None:
    spec = harness.function({"app.js": """
        exports.handler = (event, context, callback) => callback(new TypeError('wrong shape'));
    """}, runtime=RUNTIME, handler="app.handler")
    result = harness.invoke(spec)
    assert result.function_error == "Unhandled"
    document = json.loads(result.payload)
    assert document["errorType"] == "TypeError" and document["errorMessage"] == "wrong shape"
    assert document["trace"][0] == "TypeError: wrong shape"


def test_esm_module_and_nested_directory(harness: Harness) -> None:
    spec = harness.function({"src/handlers/main.mjs": """
        export const handler = async () => ({ module: 'esm' });
    """}, runtime=RUNTIME, handler="src/handlers/main.handler")
    assert json.loads(harness.invoke(spec).payload) == {"module": "esm"}


def test_console_lines_are_formatted_like_lambda(harness: Harness) -> None:
    spec = harness.function({"index.js": """
        console.log('at init');
        exports.handler = async () => { console.log('two\\nlines'); console.error('bad'); return 1; };
    """}, runtime=RUNTIME, handler="index.handler")
    invocation = harness.invocation(spec)
    tail = harness.run(harness.engine.invoke(spec, invocation)).log_tail.decode()
    assert re.search(r"\dZ\tundefined\tINFO\tat init\n", tail)
    assert f"\t{invocation.request_id}\tINFO\ttwo\rlines\n" in tail
    assert f"\t{invocation.request_id}\tERROR\tbad\n" in tail


def test_missing_module_and_missing_handler(harness: Harness) -> None:
    missing_module = harness.function({"other.js": ""}, runtime=RUNTIME, handler="index.handler")
    assert json.loads(harness.invoke(missing_module).payload)["errorType"] == "Runtime.ImportModuleError"
    missing_handler = harness.function({"index.js": "exports.other = () => 1;"}, runtime=RUNTIME,
                                       handler="index.handler")
    document = json.loads(harness.invoke(missing_handler).payload)
    assert document["errorType"] == "Runtime.HandlerNotFound"
    assert document["errorMessage"] == "index.handler is undefined or not exported"


def test_thrown_error_and_process_exit(harness: Harness) -> None:
    thrower = harness.function({"index.js": "exports.handler = async () => { throw new RangeError('too far'); };"},
                               runtime=RUNTIME, handler="index.handler")
    document = json.loads(harness.invoke(thrower).payload)
    assert (document["errorType"], document["errorMessage"]) == ("RangeError", "too far")
    exiter = harness.function({"index.js": "exports.handler = async () => { process.exit(2); };"},
                              runtime=RUNTIME, handler="index.handler")
    document = json.loads(harness.invoke(exiter).payload)
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Runtime exited with error: exit status 2")


@pytest.mark.parametrize("runtime", [name for name in NODE_RUNTIMES if name not in AVAILABLE])
def test_runtimes_without_a_matching_node_are_unavailable(harness: Harness, runtime: str) -> None:
    assert harness.engine.runtime_available(runtime) is False
