"""One execution environment: a runtime process that initializes once and then runs invocations one at a time."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from typing import Any, Protocol

from lamina.engine import failures
from lamina.engine.api import Credentials, FunctionSpec, Invocation, InvocationResult
from lamina.engine.channel import ChannelClosed, Message
from lamina.engine.failures import Failure
from lamina.engine.lifecycle import Event, State, next_state
from lamina.engine.logs import EnvironmentLog, Report, billed_duration, iso_timestamp, now_ms
from lamina.engine.process import EnvironmentProcess
from lamina.engine.variables import credential_variables

# What a stream carries when the function names no content type (Lambda's default for streamed responses).
STREAM_CONTENT_TYPE = "application/octet-stream"
# How long to wait for a process whose channel closed to finish exiting, to learn its exit status.
EXIT_GRACE_S = 2.0


class Connection(Protocol):
    """How the engine talks to the runtime: framed socket (Python, Node.js) or the Runtime API (provided)."""

    def send(self, header: dict[str, Any], body: bytes = b"") -> None: ...

    async def receive(self, timeout: float | None = None) -> Message: ...

    def fail(self, error: BaseException) -> None: ...

    def close(self) -> None: ...


class Resources(Protocol):
    """The environment's resource accounting (a cgroup, or the process's own figures)."""

    def max_memory_mb(self, reported_kb: int | None) -> int: ...

    def out_of_memory(self) -> bool: ...

    def release(self) -> None: ...


def decoded_client_context(value: str | None) -> str | None:
    """Invoke takes the client context base64-encoded; runtimes receive the JSON itself
    (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-next)."""
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None


class ProcessExited(ChannelClosed):
    def __init__(self, returncode: int) -> None:
        super().__init__(f"runtime exited ({returncode})")
        self.returncode = returncode


class ExecutionEnvironment:
    def __init__(self, *, environment_id: str, spec: FunctionSpec, process: EnvironmentProcess,
                 connection: Connection, log: EnvironmentLog, resources: Resources, init_timeout_s: float,
                 credentials: Credentials | None, provisioned: bool, billed_init: bool,
                 debugging: bool = False, lean: bool = False) -> None:
        self.id = environment_id
        self.spec = spec
        self.process = process
        self.connection = connection
        self.log = log
        self.resources = resources
        self.init_timeout_s = init_timeout_s
        self.credentials = credentials
        self.provisioned = provisioned
        self.billed_init = billed_init  # custom runtimes are billed for init (Lambda pricing)
        # Debug mode: the runtime waits for a debugger and may sit at a breakpoint, so no timeout applies.
        self.debugging = debugging
        self.lean = lean  # forked from a Python zygote without the SDK
        # Whether the function imported one of the SDK's modules (Python runtimes say so; None: not said).
        self.uses_sdk: bool | None = None
        self.state = State.STARTING
        self.launched = time.perf_counter()
        self.last_used = time.monotonic()
        self.init_ms: float | None = None
        self._init_reported = False
        self._init_failure_event = Event.EXITED
        self.on_dead: Callable[[ExecutionEnvironment], None] | None = None
        process.exited.add_done_callback(self._process_exited)

    # lifecycle
    def fire(self, event: Event) -> State:
        before = self.state
        self.state = next_state(before, event)
        if self.state is State.DEAD and before is not State.DEAD:
            self._shut_down()
        return self.state

    def _shut_down(self) -> None:
        self.process.kill()
        self.connection.close()
        self.log.close()
        self.resources.release()
        if self.on_dead is not None:
            self.on_dead(self)

    def _process_exited(self, exited: asyncio.Future[int]) -> None:
        returncode = exited.result()
        if self.state in (State.STARTING, State.INVOKING, State.DRAINING):
            # Whoever awaits the runtime learns it from the connection and fires the transition.
            self.connection.fail(ProcessExited(returncode))
        else:
            self.fire(Event.EXITED)

    async def _exit_code(self) -> int | None:
        try:
            return await asyncio.wait_for(asyncio.shield(self.process.exited), EXIT_GRACE_S)
        except TimeoutError:
            return None

    # Init
    async def initialize(self, request_id: str = "") -> Failure | None:
        """Wait for the runtime to finish init; a Failure when it could not.

        ``request_id`` is the invocation waiting for this cold start ("" for provisioned concurrency):
        Lambda names it in the errors of a failed init. After a failure the environment stays in
        STARTING (its process stopped) until ``report_init_failure`` or ``discard_failed_init`` has
        written the logs, so nothing it logged is lost.
        """
        try:
            header, body = await self.connection.receive(timeout=None if self.debugging else self.init_timeout_s)
        except TimeoutError:
            self.init_ms = (time.perf_counter() - self.launched) * 1000
            self.process.kill()
            self._init_failure_event = Event.TIMED_OUT
            return failures.timeout(request_id, self.init_timeout_s, iso_timestamp(now_ms()))
        except ChannelClosed:
            returncode = await self._exit_code()
            self.init_ms = (time.perf_counter() - self.launched) * 1000
            self._init_failure_event = Event.EXITED
            return failures.runtime_exit(request_id, returncode, self.resources.out_of_memory())
        self.init_ms = (time.perf_counter() - self.launched) * 1000
        if header.get("type") == "ready":
            self.uses_sdk = header.get("sdk")
            self.fire(Event.INIT_DONE)
            if self.provisioned:
                # Initialized ahead of any invocation: no REPORT carries its Init Duration.
                self._init_reported = True
                self.log.drain()
                self.log.flush()
            return None
        error_type = header.get("error_type") or "Runtime.InitError"
        self.log.system(f"INIT_REPORT Init Duration: {self.init_ms:.2f} ms\tPhase: init\tStatus: error"
                        f"\tError Type: {error_type}")
        self._init_reported = True
        self.process.kill()
        self._init_failure_event = Event.INIT_FAILED
        return failures.init_failure(error_type, body, request_id)

    def discard_failed_init(self) -> None:
        self.fire(self._init_failure_event)

    # Invoke
    async def invoke(self, invocation: Invocation) -> InvocationResult:
        self.fire(Event.INVOKE)
        spec = self.spec
        request_id = invocation.request_id
        self.log.start_invocation(request_id, spec.version)
        started = time.perf_counter()
        deadline_ms = now_ms() + int(spec.timeout_s * 1000)
        header: dict[str, Any] = {
            "type": "invoke", "request_id": request_id, "deadline_ms": deadline_ms,
            "invoked_function_arn": invocation.invoked_function_arn,
            "client_context": decoded_client_context(invocation.client_context),
            "cognito_identity": invocation.cognito_identity,
            "trace_id": invocation.trace_id,
        }
        if invocation.credentials is not None and invocation.credentials != self.credentials:
            header["credentials"] = credential_variables(invocation.credentials)
            self.credentials = invocation.credentials
        failure: Failure | None = None
        reported_kb: int | None = None
        payload = b""
        streamed = False
        try:
            self.connection.send(header, invocation.payload)
            reply, payload, streamed = await self._reply(invocation, started)
            reported_kb = reply.get("max_memory_kb")
            if reply.get("sdk"):
                self.uses_sdk = True
            function_error = "Unhandled" if reply.get("type") == "error" else None
        except TimeoutError:
            failure = failures.timeout(request_id, spec.timeout_s, iso_timestamp(now_ms()))
            self.process.kill()
        except ChannelClosed:
            returncode = await self._exit_code()
            failure = failures.runtime_exit(request_id, returncode, self.resources.out_of_memory())
        duration_ms = (time.perf_counter() - started) * 1000
        init_ms = None if self._init_reported else self.init_ms
        self._init_reported = True
        billed = billed_duration(duration_ms + ((init_ms or 0) if self.billed_init else 0))
        report = Report(duration_ms=duration_ms, billed_ms=billed, memory_mb=spec.memory_mb,
                        max_memory_mb=self.resources.max_memory_mb(reported_kb), init_ms=init_ms)
        if failure is not None:
            payload, function_error = failure.document, "Unhandled"
            report.status, report.error_type = failure.status, (None if failure.status == "timeout"
                                                                else failure.error_type)
            if failure.log_line:
                self.log.system(failure.log_line)
        tail = self.log.end_invocation(request_id, report, invocation.tail_log)
        self.last_used = time.monotonic()
        if failure is not None:
            self.fire(Event.TIMED_OUT if failure.status == "timeout" else Event.EXITED)
        else:
            self.fire(Event.RESPONDED)
        return InvocationResult(
            payload=payload, function_error=function_error, log_tail=tail, duration_ms=duration_ms,
            billed_duration_ms=billed, init_duration_ms=init_ms, max_memory_used_mb=report.max_memory_mb,
            environment_id=self.id, streamed=streamed,
        )

    async def _reply(self, invocation: Invocation, started: float) -> tuple[dict[str, Any], bytes, bool]:
        """The runtime's final message for the invocation, and whether it streamed its response.

        A streaming runtime first sends ``stream_begin`` (header: content_type) and ``stream_chunk``
        frames (body: the chunk); they go to the invocation's ``response_stream`` as they arrive, or
        are joined into the payload when it has none. The function's timeout covers the whole stream.
        """
        sink = invocation.response_stream
        buffered: list[bytes] = []
        streamed = False
        while True:
            remaining = self.spec.timeout_s - (time.perf_counter() - started)
            reply, body = await self.connection.receive(timeout=None if self.debugging else max(remaining, 0.0))
            kind = reply.get("type")
            if kind == "stream_begin":
                streamed = True
                if sink is not None:
                    sink.begin(reply.get("content_type") or STREAM_CONTENT_TYPE)
            elif kind == "stream_chunk":
                if sink is not None:
                    sink.write(body)
                else:
                    buffered.append(body)
            else:
                if buffered and kind != "error":
                    body = b"".join(buffered) + body
                return reply, body, streamed

    def report_init_failure(self, invocation: Invocation, failure: Failure) -> InvocationResult:
        """The result of an invocation whose cold start failed: the init error, framed by START/END/REPORT."""
        request_id = invocation.request_id
        self.log.start_invocation(request_id, self.spec.version)
        if failure.log_line:
            self.log.system(failure.log_line)
        duration_ms = self.init_ms or 0.0
        report = Report(duration_ms=duration_ms, billed_ms=billed_duration(duration_ms),
                        memory_mb=self.spec.memory_mb, max_memory_mb=self.resources.max_memory_mb(None),
                        status=failure.status, error_type=failure.error_type)
        tail = self.log.end_invocation(request_id, report, invocation.tail_log)
        self.discard_failed_init()
        return InvocationResult(payload=failure.document, function_error="Unhandled", log_tail=tail,
                                duration_ms=duration_ms, billed_duration_ms=report.billed_ms,
                                max_memory_used_mb=report.max_memory_mb, environment_id=self.id)

    # from the pool
    def reap(self) -> None:
        self.fire(Event.REAPED)

    def retire(self) -> None:
        self.fire(Event.RETIRED)

    def shutdown(self) -> None:
        self.fire(Event.SHUTDOWN)

    @property
    def idle_for(self) -> float:
        return time.monotonic() - self.last_used
