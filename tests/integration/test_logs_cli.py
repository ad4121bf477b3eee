"""``lamina logs``: a function's log lines in the terminal, filtered, and followed as they come."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.functions import ROLE, python_zip, unique_name

SOURCE = """
import json

def handler(event, context):
    print(json.dumps({"level": event["level"], "msg": "step " + event["step"]}, separators=(",", ":")))
    return {}
"""


@pytest.fixture(scope="module")
def logged(server):  # type: ignore[no-untyped-def]
    lam = server.client("lambda")
    name = unique_name("tailed")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip(SOURCE)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    for step, level in (("one", "INFO"), ("two", "ERROR"), ("three", "INFO")):
        lam.invoke(FunctionName=name, Payload=f'{{"step": "{step}", "level": "{level}"}}'.encode())
    return name


def _lamina(server, *args: str, **kwargs) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "lamina", "logs", *args, "--data-dir", str(server.data_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_logs_prints_the_functions_lines_in_order(server, logged) -> None:  # type: ignore[no-untyped-def]
    out, err = _lamina(server, logged, "--since", "5m").communicate(timeout=60)
    assert not err
    lines = out.splitlines()
    steps = [line for line in lines if '"msg"' in line]
    assert [s.split('"msg":"')[1].split('"')[0] for s in steps] == ["step one", "step two", "step three"]
    assert sum(line.split(" ", 2)[2].startswith("REPORT RequestId") for line in lines) == 3
    assert "\033[" not in out  # not a terminal: no colours


def test_logs_filter_and_colours(server, logged) -> None:  # type: ignore[no-untyped-def]
    out, _ = _lamina(server, logged, "--filter", '{ $.level = "ERROR" }', "--colour", "on").communicate(timeout=60)
    lines = out.splitlines()
    assert len(lines) == 1 and "step two" in lines[0]
    assert lines[0].startswith("\033[2m") and "\033[31m" in lines[0]  # dim time, error in red


def test_logs_follow_shows_new_lines(server, logged) -> None:  # type: ignore[no-untyped-def]
    follower = _lamina(server, logged, "--follow", "--filter", "step four")
    try:
        server.client("lambda").invoke(FunctionName=logged, Payload=b'{"step": "four", "level": "INFO"}')
        line = follower.stdout.readline()  # blocks until the follower prints the new line
        assert "step four" in line
    finally:
        follower.terminate()
        follower.wait(timeout=10)


def test_logs_names_a_missing_function(server) -> None:  # type: ignore[no-untyped-def]
    result = _lamina(server, "no-such-function")
    out, err = result.communicate(timeout=60)
    assert result.returncode == 1 and "no log group /aws/lambda/no-such-function" in err
