"""Python functions: results, the context object, the environment variables, warm reuse, logs."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from lamina.engine import EngineSettings
from lamina.engine.runtimes.catalog import PYTHON_RUNTIMES, find_runtime
from tests.engine.conftest import Harness

ECHO = {"app.py": """
    import os, json
    INIT_PID = os.getpid()
    def handler(event, context):
        return {
            "event": event,
            "pid": os.getpid(),
            "context": {
                "aws_request_id": context.aws_request_id,
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "remaining": context.get_remaining_time_in_millis(),
                "identity": context.identity and context.identity.cognito_identity_id,
                "client_custom": context.client_context and context.client_context.custom,
            },
            "env": {k: v for k, v in os.environ.items()},
            "cwd": os.getcwd(),
        }
"""}


def test_handler_result_is_returned_as_json(harness: Harness) -> None:
    spec = harness.function(ECHO)
    result = harness.invoke(spec, {"answer": 42})
    assert result.function_error is None
    body = json.loads(result.payload)
    assert body["event"] == {"answer": 42}


def test_context_object_carries_what_lambdas_does(harness: Harness) -> None:
    spec = harness.function(ECHO, memory_mb=256, timeout_s=7)
    invocation = harness.invocation(
        spec, {}, client_context="eyJjdXN0b20iOiB7ImsiOiAidiJ9fQ==",
        cognito_identity='{"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}')
    result = harness.run(harness.engine.invoke(spec, invocation))
    context = json.loads(result.payload)["context"]
    assert context["aws_request_id"] == invocation.request_id
    assert context["function_name"] == spec.function_name
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == spec.function_arn
    assert context["memory_limit_in_mb"] == "256"
    assert context["log_group_name"] == f"/aws/lambda/{spec.function_name}"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert 6000 < context["remaining"] <= 7000
    assert context["identity"] == "id-1"
    assert context["client_custom"] == {"k": "v"}


def test_lambda_environment_variables(make_harness) -> None:
    harness = make_harness(endpoint_url="http://127.0.0.1:9999")
    spec = harness.function(ECHO, memory_mb=512, environment={"MY_SETTING": "on"}, region="eu-west-1")
    env = json.loads(harness.invoke(spec).payload)["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == spec.function_name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{spec.function_name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"].endswith("]" + harness.invoke(spec).environment_id)
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["TZ"] == ":UTC"
    assert env["_HANDLER"] == "app.handler"
    assert env["LAMBDA_TASK_ROOT"] and env["LAMBDA_RUNTIME_DIR"]
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9999"
    assert env["MY_SETTING"] == "on"


def test_role_credentials_reach_the_function(harness: Harness) -> None:
    from lamina.engine.api import Credentials

    spec = harness.function(ECHO)
    first = Credentials("AKIDFIRST", "secret-1", "token-1")
    env = json.loads(harness.invoke(spec, credentials=first).payload)["env"]
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]) == \
        ("AKIDFIRST", "secret-1", "token-1")
    # Credentials refreshed between invocations reach the warm environment too.
    second = Credentials("AKIDSECOND", "secret-2", "token-2")
    env = json.loads(harness.invoke(spec, credentials=second).payload)["env"]
    assert env["AWS_ACCESS_KEY_ID"] == "AKIDSECOND"


def test_second_invoke_reuses_the_warm_environment(harness: Harness) -> None:
    spec = harness.function(ECHO)
    first = harness.invoke(spec)
    second = harness.invoke(spec)
    assert first.environment_id == second.environment_id
    assert json.loads(first.payload)["pid"] == json.loads(second.payload)["pid"]
    assert first.init_duration_ms is not None and first.init_duration_ms > 0
    assert second.init_duration_ms is None


def test_each_invocation_sees_its_own_trace_id(harness: Harness) -> None:
    """_X_AMZN_TRACE_ID is the invocation's (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html),
    empty when it has none, and set again after the function changed it."""
    spec = harness.function({"app.py": """
        import os
        def handler(event, context):
            seen = os.environ.get("_X_AMZN_TRACE_ID")
            os.environ["_X_AMZN_TRACE_ID"] = "changed by the function"
            return seen
    """})
    first = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    assert json.loads(harness.invoke(spec, {}, trace_id=first).payload) == first
    assert json.loads(harness.invoke(spec, {}, trace_id=first).payload) == first
    assert json.loads(harness.invoke(spec, {}).payload) == ""
    assert json.loads(harness.invoke(spec, {}).payload) == ""


def test_init_code_runs_once_per_environment(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        COUNT = {"init": 0}
        COUNT["init"] += 1
        CALLS = []
        def handler(event, context):
            CALLS.append(1)
            return {"init": COUNT["init"], "calls": len(CALLS)}
    """})
    assert [json.loads(harness.invoke(spec).payload) for _ in range(3)] == [
        {"init": 1, "calls": 1}, {"init": 1, "calls": 2}, {"init": 1, "calls": 3}]


def test_logs_are_framed_by_start_end_report(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        import logging, sys
        print("during init")
        logging.getLogger().setLevel(logging.INFO)
        def handler(event, context):
            print("line one")
            print("line two", file=sys.stderr)
            logging.info("from logging")
            return "ok"
    """})
    first = harness.invoke(spec)
    second = harness.invoke(spec)
    streams = {stream for (group, stream) in harness.sink.streams if group == f"/aws/lambda/{spec.function_name}"}
    assert len(streams) == 1
    stream = streams.pop()
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\]" + first.environment_id, stream)
    messages = harness.sink.messages(f"/aws/lambda/{spec.function_name}")
    assert messages[0] == "during init\n"
    start = messages.index(next(m for m in messages if m.startswith("START")))
    request_lines = messages[start:start + 6]
    assert request_lines[0].startswith("START RequestId: ") and request_lines[0].endswith(" Version: $LATEST\n")
    assert request_lines[1:3] == ["line one\n", "line two\n"]
    assert re.fullmatch(r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tfrom logging\n",
                        request_lines[3])
    assert request_lines[4].startswith("END RequestId: ")
    report = request_lines[5]
    assert re.fullmatch(r"REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n", report)
    second_report = [m for m in messages if m.startswith("REPORT")][1]
    assert "Init Duration" not in second_report
    # A cold start's tail includes the init output; a warm one's starts at START.
    assert first.log_tail.decode().startswith("during init\nSTART RequestId:")
    assert first.log_tail.decode().endswith("\t\n")
    assert second.log_tail.decode().startswith("START RequestId:") and second.log_tail.count(b"START") == 1


def test_log_tail_is_the_last_4_kb(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        def handler(event, context):
            for i in range(500):
                print(f"line {i:04d}")
            return None
    """})
    result = harness.invoke(spec)
    assert len(result.log_tail) == 4096
    assert result.log_tail.decode().rstrip().split("\n")[-1].startswith("REPORT RequestId:")
    assert b"line 0499" in result.log_tail and b"line 0000" not in result.log_tail


def test_billed_duration_rounds_up_to_the_millisecond(harness: Harness) -> None:
    spec = harness.function({"app.py": """
        import time
        def handler(event, context):
            time.sleep(0.0123)
    """})
    result = harness.invoke(spec)
    assert result.payload == b"null"
    assert result.billed_duration_ms >= 13 and result.billed_duration_ms == -(-result.duration_ms // 1)
    assert result.max_memory_used_mb > 0


PYTHON_VERSIONS = [name for name in PYTHON_RUNTIMES if find_runtime(name) is not None]


def test_this_machine_has_python_runtimes() -> None:
    assert PYTHON_VERSIONS, "no CPython 3.10-3.13 found"


@pytest.mark.parametrize("runtime", PYTHON_VERSIONS)
def test_every_python_runtime_runs_with_the_sdk(harness: Harness, runtime: str) -> None:
    spec = harness.function({"app.py": """
        import sys, boto3, botocore
        def handler(event, context):
            client = boto3.client("lambda", region_name="us-east-1")
            return {"version": "%d.%d" % sys.version_info[:2], "boto3": boto3.__version__,
                    "sdk_from_runtime_dir": boto3.__file__.startswith(__import__("os").environ["LAMBDA_RUNTIME_DIR"]),
                    "endpoint": client.meta.endpoint_url}
    """}, runtime=runtime)
    body = json.loads(harness.invoke(spec).payload)
    assert body["version"] == runtime.removeprefix("python")
    assert body["sdk_from_runtime_dir"] is True
    assert body["endpoint"] == harness.engine.settings.endpoint_url


def test_a_runtime_not_on_the_machine_is_unavailable(harness: Harness) -> None:
    assert harness.engine.runtime_available("python2.7") is False
    assert harness.engine.runtime_available("python3.11") is True
    assert harness.engine.runtime_available("provided.al2023") is True


def test_a_function_module_may_share_a_name_with_the_zygotes_own(harness: Harness) -> None:
    """The zygote's modules (confine, seccomp, inits, wire) are not what a function's imports find."""
    spec = harness.function({
        "app.py": "import wire, confine\n\ndef handler(event, context):\n    return [wire.WHO, confine.WHO]\n",
        "wire.py": "WHO = 'the function'\n",
        "confine.py": "WHO = 'the function too'\n",
    })
    assert json.loads(harness.invoke(spec).payload) == ["the function", "the function too"]


def test_a_function_has_the_builtins_of_the_site_module_and_none_of_the_machines_pth_imports(
        harness: Harness) -> None:
    """The zygote runs without the site module (zygotes.py: -S), so a .pth file of the machine's Python imports
    nothing into functions (their site directories are hidden); the builtins site gives are there all the same."""
    spec = harness.function({"app.py": textwrap.dedent("""
        import builtins, sys
        def handler(event, context):
            return {"builtins": [name for name in ("exit", "quit", "help", "copyright", "credits", "license")
                                 if hasattr(builtins, name)],
                    "exit_works": isinstance(exit, type(quit)) and "exit" in repr(exit),
                    "site_packages": [name for name, module in sys.modules.items()
                                      if "-packages" in (getattr(module, "__file__", None) or "")]}
    """)})
    result = json.loads(harness.invoke(spec).payload)
    assert result == {"builtins": ["exit", "quit", "help", "copyright", "credits", "license"],
                      "exit_works": True, "site_packages": []}


SEARCH_PATH = {"app.py": """
    import sys
    def handler(event, context):
        return sys.path
"""}


def test_module_search_path_is_lambdas_order_without_repeats(harness: Harness) -> None:
    # The function, its layers' python directories, the runtime, then the interpreter's own paths
    # (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths); a runtime
    # forked ahead of need sets the path while it waits and again once it knows its function.
    for _ in range(3):  # cold starts from preforked runtimes and from ordinary forks alike
        spec = harness.function(SEARCH_PATH)
        path = json.loads(harness.invoke(spec, {}).payload)
        minor = "python{}.{}".format(*__import__("sys").version_info[:2])
        assert path[:3] == ["/var/task", f"/opt/python/lib/{minor}/site-packages", "/opt/python"]
        assert len(path) == len(set(path))
        harness.engine.retire(spec.function_arn)


# Says which of the SDK's modules the environment has loaded, without naming them in its text: the engine reads
# a function's code for those names to choose the zygote (engine/sdk_use.py).
SDK_PROBE = {"app.py": """
    import sys, time
    WATCHED = ("bo" + "to3", "url" + "lib3")
    def handler(event, context):
        if event.get("import"):
            __import__(WATCHED[0])
        time.sleep(event.get("sleep", 0))
        return [name for name in WATCHED if name in sys.modules]
"""}


def _lean_zygote_up(harness: Harness) -> None:
    harness.run(harness.engine.prepare_runtime("python3.11"))  # else started by the first lean cold start


def test_a_function_without_the_sdk_waits_for_the_lean_zygote_only_if_no_zygote_is_up(make_harness) -> None:
    # No zygote up: the lean one is started and awaited (it starts sooner than one importing boto3).
    harness: Harness = make_harness()
    assert json.loads(harness.invoke(harness.function(SDK_PROBE), {}).payload) == []
    # The SDK zygote up, the lean one not yet: the SDK zygote serves at once, and the lean one starts for
    # the cold starts after.
    harness = make_harness()
    harness.run(harness.engine.prepare_runtime("python3.11", [harness.function({"app.py": "import boto3\n"}).code_dir]))
    spec = harness.function(SDK_PROBE)
    assert json.loads(harness.invoke(spec, {}).payload) == ["boto3", "urllib3"]

    async def lean_started() -> None:
        await harness.engine._launcher._zygotes[spec.runtime + "-lean"]

    harness.run(lean_started())
    harness.engine.retire(spec.function_arn)
    assert json.loads(harness.invoke(spec, {}).payload) == []


def test_a_function_that_names_no_sdk_module_runs_without_the_sdk_preloaded(harness: Harness) -> None:
    _lean_zygote_up(harness)
    spec = harness.function(SDK_PROBE)
    assert json.loads(harness.invoke(spec, {}).payload) == []  # forked from the lean zygote
    assert json.loads(harness.invoke(spec, {"import": True}).payload) == ["boto3", "urllib3"]  # still importable


def test_a_function_that_names_the_sdk_runs_with_it_preloaded(harness: Harness) -> None:
    _lean_zygote_up(harness)
    spec = harness.function({"app.py": "import sys\n\ndef handler(event, context):\n"
                                       "    import boto3\n    return 'urllib3' in sys.modules\n"})
    assert json.loads(harness.invoke(spec, {}).payload) is True


def test_environments_forked_from_a_zygote_that_loaded_random_draw_different_numbers(harness: Harness) -> None:
    """The SDK zygote has random imported (botocore uses it): each environment's generator is seeded anew."""
    spec = harness.function({"app.py": "import random\nimport boto3\n\ndef handler(event, context):\n"
                                       "    return random.getrandbits(64)\n"})

    async def at_once() -> list[Any]:  # four invocations before any environment is up: four environments
        return await asyncio.gather(*(harness.engine.invoke(spec, harness.invocation(spec)) for _ in range(4)))

    results = harness.run(at_once())
    assert len({result.environment_id for result in results}) == 4
    assert len({result.payload for result in results}) == 4


def test_a_function_that_imports_the_sdk_unseen_gets_it_preloaded_from_then_on(harness: Harness) -> None:
    _lean_zygote_up(harness)
    spec = harness.function(SDK_PROBE)
    assert json.loads(harness.invoke(spec, {}).payload) == []  # lean: nothing in its text named the SDK
    assert json.loads(harness.invoke(spec, {"import": True}).payload) == ["boto3", "urllib3"]  # the runtime says so

    async def two_at_once() -> list[list[str]]:
        results = await asyncio.gather(*(harness.engine.invoke(spec, harness.invocation(spec, {"sleep": 0.3}))
                                         for _ in range(2)))
        return [json.loads(result.payload) for result in results]

    # The warm environment takes one; a new one is started for the other, and has the SDK preloaded.
    assert harness.run(two_at_once()) == [["boto3", "urllib3"], ["boto3", "urllib3"]]


def test_a_runtime_is_prepared_with_the_zygote_its_function_needs(harness: Harness) -> None:
    """prepare_runtime (the Lambda API calls it after CreateFunction) starts only the zygote the function's
    code will be forked from: the lean one for code that names no SDK module, the SDK one otherwise."""
    zygotes = harness.engine._launcher._zygotes

    def python_zygotes() -> set[str]:  # the exec one runs from the engine's start
        return {key for key in zygotes if key.startswith("python")}

    lean_code = harness.function(SDK_PROBE).code_dir
    harness.run(harness.engine.prepare_runtime("python3.11", [lean_code]))
    assert python_zygotes() == {"python3.11-lean"}
    sdk_code = harness.function({"app.py": "import boto3\n"}).code_dir
    harness.run(harness.engine.prepare_runtime("python3.11", [sdk_code]))
    assert python_zygotes() == {"python3.11-lean", "python3.11"}
    assert all(future.done() and future.result().alive for future in zygotes.values())


def _zygote_children() -> dict[int, str]:
    """This process's live zygote children: pid -> the zygote's name (its last argument)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat, open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
                argv = cmdline.read().split(b"\0")[:-1]
        except OSError:
            continue
        if int(parent) == os.getpid() and state != "Z" and any(arg.endswith(b"zygote.py") for arg in argv):
            found[int(entry)] = argv[-1].decode()
    return found


def test_stopping_the_engine_while_a_runtime_starts_leaves_nothing_running(tmp_path: Path) -> None:
    """The Lambda API starts a function's runtime ahead of need; the node may stop meanwhile. The zygote being
    started must not outlive the engine, and nothing may write in the work directory once stop returned."""
    before = set(_zygote_children())
    harness = Harness(EngineSettings(work_dir=tmp_path / "work"), tmp_path / "functions")

    async def stop_while_starting() -> set[int]:
        starting = asyncio.ensure_future(harness.engine.prepare_runtime("python3.11"))  # imports boto3: slow
        deadline = time.monotonic() + 60
        started: set[int] = set()
        while not started and time.monotonic() < deadline and not starting.done():
            await asyncio.sleep(0.005)  # a process appearing is not an event to await
            started = {pid for pid, name in _zygote_children().items() if name == "python3.11"} - before
        assert started and not starting.done(), "the SDK zygote was never seen starting"
        await harness.engine.stop()
        await asyncio.gather(starting, return_exceptions=True)
        return started

    try:
        started = harness.run(stop_while_starting())
    finally:
        harness.runner.close()
    assert not started & set(_zygote_children())
    shutil.rmtree(tmp_path / "work")  # no thread of the start writes in it any more
