"""Each way an invocation fails, as Lambda reports it; a failed environment is never reused.

https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html,
https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time

from tests.engine.conftest import Harness


def test_handler_exception_is_an_unhandled_function_error(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        class OrderError(Exception):
            pass
        def handler(event, context):
            raise OrderError("no such order")
    """})
    invocation = harness.invocation(spec)
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error == "Unhandled"
    document = json.loads(result.payload)
    assert list(document) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert document["errorMessage"] == "no such order"
    assert document["errorType"] == "OrderError"
    assert document["requestId"] == invocation.request_id
    assert len(document["stackTrace"]) == 1 and 'app.py", line 5, in handler' in document["stackTrace"][0]
    assert b"[ERROR] OrderError: no such order\rTraceback (most recent call last):\r" in result.log_tail
    # A handled error leaves the environment healthy: it is reused.
    assert harness.invoke(spec).environment_id == result.environment_id


def test_timeout_kills_the_environment(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        import time
        def handler(event, context):
            if event.get("sleep"):
                time.sleep(30)
            return "done"
    """}, timeout_s=1)
    warm = harness.invoke(spec)
    invocation = harness.invocation(spec, {"sleep": True})
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {invocation.request_id} Error: Task timed out after 1.00 seconds",
    }
    assert 1000 <= result.duration_ms < 1500
    tail = result.log_tail.decode()
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z " + invocation.request_id +
                     r" Task timed out after 1\.00 seconds\n", tail)
    assert re.search(r"REPORT RequestId: \S+\tDuration: 1\d{3}\.\d\d ms\t.*\tStatus: timeout\t\n", tail)
    # The timed-out environment is gone; the next invocation is a cold start.
    after = harness.invoke(spec)
    assert after.payload == b'"done"'
    assert after.environment_id != warm.environment_id and after.init_duration_ms is not None


def test_import_error_is_runtime_import_module_error(harness: Harness) -> None:
    spec = harness.function({"app.py": "import no_such_module_here\n"})
    invocation = harness.invocation(spec)
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorMessage": "Unable to import module 'app': No module named 'no_such_module_here'",
        "errorType": "Runtime.ImportModuleError", "requestId": invocation.request_id, "stackTrace": []}
    assert "INIT_REPORT Init Duration" in result.log_tail.decode()
    assert "Status: error\tError Type: Runtime.ImportModuleError" in result.log_tail.decode()
    # The failed environment is not kept: the next invocation runs init again.
    assert harness.invoke(spec).environment_id != result.environment_id


def test_missing_handler_is_runtime_handler_not_found(harness: Harness) -> None:
    spec = harness.function({"app.py": "def other(event, context):\n    return 1\n"}, handler="app.handler")
    result = harness.invoke(spec)
    assert result.function_error == "Unhandled"
    document = json.loads(result.payload)
    assert document["errorType"] == "Runtime.HandlerNotFound"
    assert document["errorMessage"] == "Handler 'handler' missing on module 'app'"


def test_malformed_handler_name(harness: Harness) -> None:
    spec = harness.function({"app.py": "x = 1\n"}, handler="nodot")
    document = json.loads(harness.invoke(spec).payload)
    assert document["errorType"] == "Runtime.MalformedHandlerName"


def test_syntax_error_in_the_module(harness: Harness) -> None:
    spec = harness.function({"app.py": "def handler(event, context)\n    return 1\n"})
    document = json.loads(harness.invoke(spec).payload)
    assert document["errorType"] == "Runtime.UserCodeSyntaxError"
    assert document["errorMessage"].startswith("Syntax error in module 'app'")


def test_exception_during_init_fails_the_init(harness: Harness) -> None:
    spec = harness.function({"app.py": "raise ValueError('bad configuration')\ndef handler(e, c):\n    return 1\n"})
    result = harness.invoke(spec)
    assert result.function_error == "Unhandled"
    document = json.loads(result.payload)
    assert (document["errorType"], document["errorMessage"]) == ("ValueError", "bad configuration")
    assert "Error Type: Runtime.InitError" in result.log_tail.decode()


def test_process_exit_is_runtime_exit_error(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        import sys
        def handler(event, context):
            sys.exit(3)
    """})
    invocation = harness.invocation(spec)
    result = harness.run(harness.engine.invoke(spec, invocation))
    assert result.function_error == "Unhandled"
    assert json.loads(result.payload) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {invocation.request_id} Error: Runtime exited with error: exit status 3"}
    assert "Status: error\tError Type: Runtime.ExitError" in result.log_tail.decode()
    assert harness.invoke(spec).environment_id != result.environment_id


def test_killed_process_is_runtime_exit_error_with_the_signal(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        import os, signal
        def handler(event, context):
            os.kill(os.getpid(), signal.SIGKILL)
    """})
    document = json.loads(harness.invoke(spec).payload)
    assert document["errorType"] == "Runtime.ExitError"
    assert document["errorMessage"].endswith("Runtime exited with error: signal: killed")


def test_unserializable_result_is_runtime_marshal_error(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        def handler(event, context):
            return {"items": {1, 2}}
    """})
    first = harness.invoke(spec)
    assert first.function_error == "Unhandled"
    document = json.loads(first.payload)
    assert document["errorType"] == "Runtime.MarshalError"
    assert document["errorMessage"] == "Unable to marshal response: Object of type set is not JSON serializable"
    assert harness.invoke(spec).environment_id == first.environment_id


def test_decimal_results_are_serialized_like_lambdas_runtime(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        from decimal import Decimal
        def handler(event, context):
            return {"whole": Decimal("3"), "part": Decimal("1.5")}
    """})
    assert json.loads(harness.invoke(spec).payload) == {"whole": 3, "part": 1.5}


def test_engine_stays_healthy_after_failures(harness: Harness) -> None:
    crash = harness.function({"app.py": "import os\ndef handler(e, c):\n    os._exit(1)\n"})
    fine = harness.function({"app.py": "def handler(e, c):\n    return 'fine'\n"})
    for _ in range(3):
        assert harness.invoke(crash).function_error == "Unhandled"
    assert harness.invoke(fine).payload == b'"fine"'
    assert harness.engine.concurrency.running(crash.function_arn) == 0


def test_a_zygote_that_lost_its_init_factory_is_replaced(harness: Harness) -> None:
    """The init factory is PID 1 of the zygote's PID namespace (zygote/inits.py): if it dies, so do the
    environments, and the zygote ends; the next invocation gets a new zygote and a new environment."""
    spec = harness.function({"app.py": "def handler(e, c):\n    return 'up'\n"})
    first = harness.invoke(spec)
    environment = next(iter(harness.engine.pools[spec.key].environments))
    zygote = harness.engine._launcher._zygotes[spec.runtime + "-lean"].result()  # its code names no SDK module
    zygote_pid = zygote._process.pid
    with open(f"/proc/{zygote_pid}/task/{zygote_pid}/children") as f:
        children = [int(pid) for pid in f.read().split()]
    factories = []
    for pid in children:
        with open(f"/proc/{pid}/status") as f:
            ns_pids = next(line for line in f if line.startswith("NSpid:")).split()[1:]
        if ns_pids[-1] == "1":
            factories.append(pid)
    assert len(factories) == 1
    os.kill(factories[0], signal.SIGKILL)
    harness.run(asyncio.wait_for(asyncio.shield(environment.process.exited), 10))
    assert zygote._process.wait(timeout=10) != 0
    again = harness.invoke(spec)
    assert again.payload == b'"up"' and again.environment_id != first.environment_id


def _waiting_runtimes(zygote_pid: int) -> list[int]:
    """The zygote's runtimes forked ahead of need: its children whose output is /dev/null until they are used."""
    with open(f"/proc/{zygote_pid}/task/{zygote_pid}/children") as f:
        children = [int(pid) for pid in f.read().split()]
    waiting = []
    for pid in children:
        try:
            if os.readlink(f"/proc/{pid}/fd/1") == "/dev/null" and os.readlink(f"/proc/{pid}/fd/2") == "/dev/null":
                waiting.append(pid)
        except OSError:
            pass  # gone meanwhile
    return waiting


def test_a_runtime_that_died_while_waiting_to_be_used_is_passed_over(harness: Harness) -> None:
    """Runtimes are forked ahead of need (zygote.py Preforked); one that died before its environment came
    (killed, out of memory) must not cost a cold start: the spawn discards it and forks as usual."""
    spec = harness.function({"app.py": "def handler(e, c):\n    return 'up'\n"})
    harness.invoke(spec)
    zygote_pid = harness.engine._launcher._zygotes[spec.runtime + "-lean"].result()._process.pid  # no SDK here
    deadline = time.monotonic() + 10
    while len(_waiting_runtimes(zygote_pid)) < 2:  # made once the zygote has been idle a moment
        assert time.monotonic() < deadline, "no runtimes were forked ahead of need"
        time.sleep(0.01)
    killed = _waiting_runtimes(zygote_pid)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    # Dead before they are needed (a kill lands asynchronously: one still dying as its request comes is an
    # ordinary runtime crash, reported as Runtime.ExitError); the zygote reaps them as it would any.
    while any(os.path.exists(f"/proc/{pid}") for pid in killed):
        assert time.monotonic() < deadline, "the killed runtimes were not reaped"
        time.sleep(0.01)
    fresh = harness.function({"app.py": "import os\ndef handler(e, c):\n    return 'fresh'\n"})
    result = harness.invoke(fresh)
    assert result.function_error is None and result.payload == b'"fresh"'
