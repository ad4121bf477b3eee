"""The failures the engine itself detects, worded as Lambda words them.

Timeout: response ``{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed
out after 3.00 seconds"}``, REPORT ``Status: timeout``. A runtime that exits: ``Runtime.ExitError`` with
``Runtime exited with error: exit status 1`` or ``signal: killed``; killed for memory: ``Runtime.OutOfMemory``.
(https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html,
https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-execution.html)
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass

import orjson


@dataclass(slots=True)
class Failure:
    """A failed invocation: the payload returned to the caller and the REPORT line's status."""

    error_type: str  # what REPORT's "Error Type" says
    document: bytes  # the response payload (JSON error document)
    status: str = "error"  # REPORT's "Status": "error" | "timeout"
    log_line: str | None = None  # what the platform logs about it, before END


def timeout(request_id: str, timeout_s: float, timestamp: str) -> Failure:
    message = f"Task timed out after {timeout_s:.2f} seconds"
    return Failure(
        error_type="Sandbox.Timedout",
        document=orjson.dumps({"errorType": "Sandbox.Timedout",
                               "errorMessage": f"RequestId: {request_id} Error: {message}"}),
        status="timeout",
        log_line=f"{timestamp} {request_id} {message}",
    )


def exit_reason(returncode: int | None) -> str:
    """Lambda's (Go-style) wording of how a process ended."""
    if returncode is None:
        return "signal: killed"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            return f"signal: {-returncode}"
        words = {"SIGKILL": "killed", "SIGSEGV": "segmentation fault", "SIGABRT": "aborted",
                 "SIGTERM": "terminated", "SIGBUS": "bus error", "SIGILL": "illegal instruction",
                 "SIGFPE": "floating point exception", "SIGINT": "interrupt", "SIGHUP": "hangup",
                 "SIGPIPE": "broken pipe", "SIGQUIT": "quit", "SIGUSR1": "user defined signal 1",
                 "SIGUSR2": "user defined signal 2", "SIGALRM": "alarm clock", "SIGXCPU": "CPU time limit exceeded",
                 "SIGXFSZ": "file size limit exceeded", "SIGSYS": "bad system call", "SIGTRAP": "trace/breakpoint trap"}
        return "signal: " + words.get(name, name)
    return f"exit status {returncode}"


def runtime_exit(request_id: str, returncode: int | None, out_of_memory: bool) -> Failure:
    error_type = "Runtime.OutOfMemory" if out_of_memory else "Runtime.ExitError"
    message = f"RequestId: {request_id} Error: Runtime exited with error: {exit_reason(returncode)}"
    return Failure(
        error_type=error_type,
        document=orjson.dumps({"errorType": error_type, "errorMessage": message}),
        log_line=f"{message}\n{error_type}",
    )


def init_failure(error_type: str, document: bytes, request_id: str) -> Failure:
    """The runtime reported that init failed: the caller gets the runtime's own error document,
    naming the invocation that waited for the init when the runtime could not."""
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("requestId") == "" and request_id:
        parsed["requestId"] = request_id
        document = json.dumps(parsed).encode()  # json's spacing, like the runtime that wrote it
    return Failure(error_type=error_type, document=document)
