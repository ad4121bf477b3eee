"""Lines a function prints reach the logs while it still runs, not when it returns."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LaminaServer

CHATTY = """
import time

def handler(event, context):
    for i in range(30):
        print("tick", i, flush=True)
        time.sleep(0.1)
    return "done"
"""


def test_first_lines_are_readable_before_the_invocation_returns(server: LaminaServer) -> None:
    client = server.client("lambda")
    name = unique_name("chatty")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": python_zip(CHATTY)}, Timeout=10)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    returned = threading.Event()

    def invoke() -> None:
        server.client("lambda").invoke(FunctionName=name, Payload=b"{}")
        returned.set()

    caller = threading.Thread(target=invoke)
    caller.start()
    logs = server.client("logs")
    seen: list[str] = []
    try:
        while not returned.is_set() and not any("tick 0" in line for line in seen):
            try:
                events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
            except logs.exceptions.ResourceNotFoundException:
                events = []  # the group appears with the first line
            seen = [event["message"] for event in events]
            time.sleep(0.05)  # reading a store another process writes: nothing to await but the next read
        assert any("tick 0" in line for line in seen), "no line was readable before the function returned"
        assert not returned.is_set()
        assert not any("tick 29" in line for line in seen)
    finally:
        caller.join()


def test_lamina_logs_follow_shows_lines_of_a_running_invocation(server: LaminaServer) -> None:
    client = server.client("lambda")
    name = unique_name("chatty")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": python_zip(CHATTY)}, Timeout=10)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    follower = subprocess.Popen([sys.executable, "-m", "lamina", "logs", name, "--follow", "--since", "1m",
                                 "--data-dir", str(server.data_dir)], stdout=subprocess.PIPE, text=True)
    returned = threading.Event()
    caller = threading.Thread(target=lambda: (server.client("lambda").invoke(FunctionName=name, Payload=b"{}"),
                                              returned.set()))
    try:
        caller.start()
        assert follower.stdout is not None
        for line in follower.stdout:
            if "tick 0" in line:
                break
        assert not returned.is_set(), "lamina logs --follow showed the first line only after the function returned"
    finally:
        follower.kill()
        follower.wait()
        caller.join()
