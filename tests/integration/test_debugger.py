"""Debug mode (LAMINA_DEBUG=1): a real Debug Adapter Protocol client attaches to a function's environment,
stops at a breakpoint in the handler, reads its frame, continues, and the invocation returns."""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import Future

import httpx
from websockets.sync.client import connect

from tests.dap_client import DapClient
from tests.functions import ROLE, python_zip, unique_name, zip_files

SOURCE = '''import os

def handler(event, context):
    doubled = event["n"] * 2
    return {"doubled": doubled, "cwd": os.getcwd()}
'''
BREAKPOINT_LINE = 4  # doubled = ...
PORT_LINE = re.compile(r"debugpy waiting for a debugger on 127\.0\.0\.1:(\d+)")
NODE_PORT_LINE = re.compile(r"node inspector waiting for a debugger on 127\.0\.0\.1:(\d+)")


def _create_debug_function(server, timeout: int = 3) -> str:  # type: ignore[no-untyped-def]
    client = server.client("lambda")
    name = unique_name("debug")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": python_zip(SOURCE)}, Timeout=timeout,
                           Environment={"Variables": {"LAMINA_DEBUG": "1"}})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return name


def _invoke_in_background(server, name: str, n: int) -> Future:  # type: ignore[no-untyped-def]
    client = server.client("lambda")  # no retries, a 120 s read timeout
    result: Future = Future()

    def run() -> None:
        try:
            response = client.invoke(FunctionName=name, Payload=json.dumps({"n": n}).encode())
            result.set_result((response.get("FunctionError"), json.loads(response["Payload"].read())))
        except Exception as error:  # handed to the test thread
            result.set_exception(error)

    threading.Thread(target=run, daemon=True).start()
    return result


def _debug_port(server, name: str, line: re.Pattern = PORT_LINE) -> int:  # type: ignore[no-untyped-def]
    """The port the environment printed in the function's log stream."""
    logs = server.client("logs")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                            filterPattern='"waiting for a debugger"')["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        for event in events:
            found = line.search(event["message"])
            if found:
                return int(found.group(1))
        time.sleep(0.1)  # the log line is the only signal a debugger gets, as for a person reading the logs
    raise AssertionError(f"{name} never logged its debugger port")


def _attach_with_breakpoint(port: int) -> DapClient:
    dap = DapClient(port)
    dap.request("initialize", clientID="lamina-tests", adapterID="python", linesStartAt1=True,
                columnsStartAt1=True, pathFormat="path")
    attach = dap.send("attach", justMyCode=False)
    dap.event("initialized")
    breakpoints = dap.request("setBreakpoints", source={"path": "/var/task/app.py"},
                              breakpoints=[{"line": BREAKPOINT_LINE}])
    assert breakpoints["body"]["breakpoints"][0]["verified"] is True
    dap.request("configurationDone")
    dap.response(attach)
    return dap


def test_a_debugger_stops_in_the_handler_and_the_invocation_returns_after_continue(server) -> None:  # type: ignore[no-untyped-def]
    name = _create_debug_function(server, timeout=1)
    outcome = _invoke_in_background(server, name, 21)
    dap = _attach_with_breakpoint(_debug_port(server, name))
    try:
        stopped = dap.event("stopped")
        assert stopped["body"]["reason"] == "breakpoint"
        thread_id = stopped["body"]["threadId"]
        frame = dap.request("stackTrace", threadId=thread_id)["body"]["stackFrames"][0]
        assert frame["name"] == "handler"
        assert frame["source"]["path"] == "/var/task/app.py" and frame["line"] == BREAKPOINT_LINE
        value = dap.request("evaluate", expression="event['n']", frameId=frame["id"], context="watch")
        assert value["body"]["result"] == "21"
        # Held at the breakpoint past the function's 1 s timeout: debug mode suspends it.
        time.sleep(1.5)
        assert not outcome.done()
        dap.request("continue", threadId=thread_id)
        error, payload = outcome.result(timeout=30)
        assert error is None and payload["doubled"] == 42
    finally:
        dap.close()


def test_two_functions_are_debugged_at_once_on_their_own_ports(server) -> None:  # type: ignore[no-untyped-def]
    names = [_create_debug_function(server), _create_debug_function(server)]
    outcomes = [_invoke_in_background(server, name, n) for name, n in zip(names, (1, 2))]
    ports = [_debug_port(server, name) for name in names]
    assert ports[0] != ports[1]
    sessions = [_attach_with_breakpoint(port) for port in ports]
    try:
        for dap in sessions:
            thread_id = dap.event("stopped")["body"]["threadId"]
            dap.request("continue", threadId=thread_id)
        results = [outcome.result(timeout=30) for outcome in outcomes]
        assert [payload["doubled"] for _, payload in results] == [2, 4]
    finally:
        for dap in sessions:
            dap.close()


NODE_SOURCE = '''exports.handler = async (event) => {
  const doubled = event.n * 2;
  return { doubled };
};
'''


def test_node_inspector_stops_in_the_handler_and_the_invocation_returns_after_resume(server) -> None:  # type: ignore[no-untyped-def]
    client = server.client("lambda")
    name = unique_name("debug-node")
    client.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                           Code={"ZipFile": zip_files({"index.js": NODE_SOURCE})}, Timeout=1,
                           Environment={"Variables": {"LAMINA_DEBUG": "1"}})
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    outcome = _invoke_in_background(server, name, 21)
    port = _debug_port(server, name, NODE_PORT_LINE)
    target = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()[0]
    with connect(target["webSocketDebuggerUrl"], open_timeout=10) as inspector:
        cdp = ChromeDevTools(inspector)
        cdp.call("Debugger.enable")
        cdp.call("Debugger.setBreakpointByUrl", lineNumber=1, urlRegex=r"/var/task/index\.js$")
        cdp.call("Runtime.runIfWaitingForDebugger")
        paused = cdp.event("Debugger.paused")
        frame = paused["callFrames"][0]
        assert frame["functionName"] == "exports.handler" and frame["location"]["lineNumber"] == 1
        value = cdp.call("Debugger.evaluateOnCallFrame", callFrameId=frame["callFrameId"], expression="event.n")
        assert value["result"]["value"] == 21
        time.sleep(1.5)  # held past the 1 s timeout: debug mode suspends it
        assert not outcome.done()
        cdp.call("Debugger.resume")
        error, payload = outcome.result(timeout=30)
    assert error is None and payload == {"doubled": 42}


class ChromeDevTools:
    """The Chrome DevTools Protocol over the inspector's WebSocket, as DevTools and VS Code speak it."""

    def __init__(self, socket) -> None:  # type: ignore[no-untyped-def]
        self.socket = socket
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    def event(self, method: str) -> dict:
        for index, message in enumerate(self.events):
            if message.get("method") == method:
                return self.events.pop(index)["params"]
        while True:
            message = json.loads(self.socket.recv(timeout=30))
            if message.get("method") == method:
                return message["params"]
