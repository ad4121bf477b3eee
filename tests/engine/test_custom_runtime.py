"""Custom runtimes (provided, provided.al2, provided.al2023) through the Lambda Runtime API
(https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html,
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from lamina.engine.api import FunctionSpec
from tests.engine.conftest import Harness

# A custom runtime written by hand against the API: the OS's python3 with only its standard library.
HAND_WRITTEN_RUNTIME = {
    "bootstrap": '#!/bin/sh\nexec /usr/bin/python3 -S "$LAMBDA_TASK_ROOT/runtime.py"\n',
    "runtime.py": """
        import http.client, json, os
        host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
        api = http.client.HTTPConnection(host, int(port))
        while True:
            api.request("GET", "/2018-06-01/runtime/invocation/next")
            reply = api.getresponse()
            event = json.loads(reply.read())
            request_id = reply.getheader("Lambda-Runtime-Aws-Request-Id")
            headers = {name: reply.getheader(name) for name in (
                "Lambda-Runtime-Deadline-Ms", "Lambda-Runtime-Invoked-Function-Arn", "Lambda-Runtime-Trace-Id",
                "Lambda-Runtime-Client-Context", "Lambda-Runtime-Cognito-Identity")}
            print("handling", request_id, flush=True)
            if event.get("fail"):
                body = json.dumps({"errorMessage": "asked to fail", "errorType": "Custom.Failure"})
                api.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/error", body,
                            {"Lambda-Runtime-Function-Error-Type": "Custom.Failure"})
            else:
                body = json.dumps({"event": event, "headers": headers, "pid": os.getpid(),
                                   "handler": os.environ["_HANDLER"]})
                api.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", body)
            api.getresponse().read()
    """,
}


@pytest.mark.parametrize("runtime", ["provided", "provided.al2", "provided.al2023"])
def test_custom_runtime_serves_invocations(harness: Harness, runtime: str) -> None:
    spec = harness.function(HAND_WRITTEN_RUNTIME, runtime=runtime, handler="function.handler")
    invocation = harness.invocation(spec, {"x": 1}, trace_id="Root=1-abc", client_context="eyJhIjogMX0=",
                                    cognito_identity='{"cognitoIdentityId": "id"}')
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error is None, result.payload
    body = json.loads(result.payload)
    assert body["event"] == {"x": 1} and body["handler"] == "function.handler"
    headers = body["headers"]
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == spec.function_arn
    assert headers["Lambda-Runtime-Trace-Id"] == "Root=1-abc"
    assert headers["Lambda-Runtime-Client-Context"] == '{"a": 1}'
    assert headers["Lambda-Runtime-Cognito-Identity"] == '{"cognitoIdentityId": "id"}'
    assert int(headers["Lambda-Runtime-Deadline-Ms"]) > 0
    assert f"handling {invocation.request_id}\n".encode() in result.log_tail
    # Warm: the same bootstrap process serves the next one.
    assert json.loads(harness.invoke(spec).payload)["pid"] == body["pid"]


def test_custom_runtime_error(harness: Harness) -> None:
    spec = harness.function(HAND_WRITTEN_RUNTIME, runtime="provided.al2023", handler="x")
    result = harness.invoke(spec, {"fail": True})
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {"errorMessage": "asked to fail", "errorType": "Custom.Failure"}


def test_missing_bootstrap_is_runtime_invalid_entrypoint(harness: Harness) -> None:
    spec = harness.function({"readme.txt": "no bootstrap here"}, runtime="provided.al2023", handler="x")
    invocation = harness.invocation(spec)
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorType": "Runtime.InvalidEntrypoint",
        "errorMessage": f"RequestId: {invocation.request_id} Error: Couldn't find valid bootstrap(s): "
                        "[/var/task/bootstrap /opt/bootstrap]"}


def test_bootstrap_that_exits_during_init(harness: Harness) -> None:
    spec = harness.function({"bootstrap": "#!/bin/sh\necho 'cannot start'\nexit 7\n"}, runtime="provided",
                            handler="x")
    result = harness.invoke(spec)
    document = json.loads(result.payload)
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Runtime exited with error: exit status 7")
    assert b"cannot start\n" in result.log_tail


# awslambdaric, unchanged from PyPI, as the bootstrap of a provided.al2023 function. It runs under the
# OS's python3.X (an interpreter a custom runtime can reach inside the sandbox, through /usr), copied into
# the function's code as `pip install --target` would put it; its native part is built for this ABI.
RIC_PACKAGES = ("awslambdaric", "runtime_client", "simplejson", "snapshot_restore_py")
OS_PYTHON = Path(f"/usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}")


def _ric_function(harness: Harness, app: str) -> FunctionSpec:
    missing = [name for name in RIC_PACKAGES if importlib.util.find_spec(name) is None]
    assert not missing, f"install the test extra (awslambdaric): missing {missing}"
    assert OS_PYTHON.exists(), f"{OS_PYTHON} is needed to run awslambdaric's native client"
    spec = harness.function({"bootstrap": f"#!/bin/sh\nexec {OS_PYTHON} -m awslambdaric app.handler\n",
                             "app.py": app}, runtime="provided.al2023", handler="app.handler")
    for name in RIC_PACKAGES:
        origin = Path(importlib.util.find_spec(name).origin)
        if origin.name == "__init__.py":
            shutil.copytree(origin.parent, spec.code_dir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, spec.code_dir / origin.name)
    return spec


def test_awslambdaric_invokes(harness: Harness) -> None:
    spec = _ric_function(harness, """
        def handler(event, context):
            print("ric handling", context.aws_request_id)
            return {"sum": event["a"] + event["b"], "fn": context.function_name}
    """)
    invocation = harness.invocation(spec, {"a": 2, "b": 3})
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error is None, result.payload
    assert json.loads(result.payload) == {"sum": 5, "fn": spec.function_name}
    assert f"ric handling {invocation.request_id}".encode() in result.log_tail
    second = harness.invoke(spec, {"a": 1, "b": 1})
    assert json.loads(second.payload)["sum"] == 2 and second.environment_id == result.environment_id


def test_awslambdaric_reports_handler_errors(harness: Harness) -> None:
    spec = _ric_function(harness, """
        def handler(event, context):
            raise KeyError("missing thing")
    """)
    result = harness.invoke(spec)
    assert result.function_error == "Unhandled"
    document = json.loads(result.payload)
    assert document["errorType"] == "KeyError" and document["errorMessage"] == "'missing thing'"


def test_awslambdaric_reports_init_errors(harness: Harness) -> None:
    spec = _ric_function(harness, "import module_that_is_not_there\n")
    result = harness.invoke(spec)
    assert result.function_error == "Unhandled"
    document = json.loads(result.payload)
    assert document["errorType"] == "Runtime.ImportModuleError"
    assert "module_that_is_not_there" in document["errorMessage"]
    assert harness.invoke(spec).environment_id != result.environment_id
