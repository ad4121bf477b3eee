"""What the engine is given and what it returns: plain records, no AWS API types."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """Everything needed to start execution environments for one function version.

    ``key`` identifies the version *and* its configuration revision: environments
    of an older revision are never reused for a newer one.
    """

    key: str
    function_name: str
    function_arn: str  # unqualified
    version: str  # "$LATEST" or "1", "2", ...
    runtime: str  # e.g. "python3.12", "nodejs20.x", "provided.al2023"
    handler: str
    code_dir: Path  # read-only, mounted at /var/task
    layer_dirs: tuple[Path, ...] = ()  # extracted in order under /opt (later wins)
    memory_mb: int = 128
    timeout_s: float = 3.0
    ephemeral_mb: int = 512
    environment: dict[str, str] = field(default_factory=dict)  # the user's variables
    architecture: str = "x86_64"
    region: str = "us-east-1"
    account_id: str = "000000000000"
    log_group: str = ""
    log_format: str = "Text"  # "Text" | "JSON"
    application_log_level: str | None = None
    system_log_level: str | None = None
    role_arn: str | None = None
    # The function's reservation as stored (None: draws on the unreserved pool; 0: throttle everything).
    # The engine applies it on every invoke; also call Engine.set_reserved_concurrency on
    # Put/DeleteFunctionConcurrency and at startup so the account's unreserved figure counts every function.
    reserved_concurrency: int | None = None
    # A network namespace of its own with only a loopback interface (sandboxed engines only).
    network_isolated: bool = False


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    # When they expire (epoch seconds): given to the runtime as AWS_CREDENTIAL_EXPIRATION, which makes
    # the AWS SDKs re-read the (renewed) variables before then instead of keeping the first ones.
    expiration: float | None = None


class ResponseStream(Protocol):
    """Where a streamed response goes while the function writes it (Lambda response streaming:
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html).

    Called on the event loop: ``begin`` once, when the runtime opens the stream, then ``write``
    per chunk as it arrives. The invocation's result follows when the function finishes.
    """

    def begin(self, content_type: str) -> None: ...

    def write(self, chunk: bytes) -> None: ...


@dataclass(slots=True)
class Invocation:
    request_id: str
    payload: bytes
    invoked_function_arn: str
    client_context: str | None = None  # base64 JSON, as Lambda passes it
    cognito_identity: str | None = None  # JSON
    trace_id: str | None = None
    credentials: Credentials | None = None  # the execution role's temporary credentials
    tail_log: bool = False  # whether the caller wants the log tail (LogType=Tail)
    # Receives the response as the runtime streams it; without one, a streamed response is
    # buffered into the result's payload (as Invoke answers a streaming function).
    response_stream: ResponseStream | None = None


@dataclass(slots=True)
class InvocationResult:
    payload: bytes
    # None on success; "Unhandled" when the handler or runtime failed (Lambda's X-Amz-Function-Error).
    function_error: str | None = None
    log_tail: bytes = b""  # last lines of this invocation's log, START..REPORT
    duration_ms: float = 0.0
    billed_duration_ms: int = 0
    init_duration_ms: float | None = None  # set on the first invocation of a new environment
    max_memory_used_mb: int = 0
    environment_id: str = ""
    streamed: bool = False  # the runtime streamed its response (to ``Invocation.response_stream`` if given)


@dataclass(frozen=True, slots=True)
class AccountConcurrency:
    """The account-level figures of GetAccountSettings."""

    limit: int  # AccountLimit.ConcurrentExecutions
    unreserved: int  # AccountLimit.UnreservedConcurrentExecutions: limit minus every function's reservation


@dataclass(frozen=True, slots=True)
class ProvisionedStatus:
    """Where a version's provisioned concurrency stands (GetProvisionedConcurrencyConfig's fields)."""

    requested: int
    allocated: int  # environments started for it (initializing or initialized)
    available: int  # environments initialized and ready
    status: str  # "IN_PROGRESS" | "READY" | "FAILED"
    status_reason: str | None = None


class LogSink(Protocol):
    """Where execution environments' log lines go (the logs service's storage implements it)."""

    def write(self, account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append events ``(timestamp_ms, message)`` to a stream, creating group and stream as needed."""


class EngineError(Exception):
    """The engine could not run an invocation at all (not a function error)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # "throttled" | "runtime_unavailable" | "shutting_down" | ...
        self.message = message


class Throttled(EngineError):
    """No environment can be had within the function's or the account's concurrency."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__("throttled", message)
        self.reason = reason  # ReservedFunctionConcurrentInvocationLimitExceeded | ConcurrentInvocationLimitExceeded


class EngineInterface(Protocol):
    """What the Lambda service (and triggers) may call; implemented by ``lamina.engine.Engine``."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        """Run one invocation; raises Throttled / EngineError when it cannot run at all."""

    def retire(self, function_arn: str) -> None:
        """Retire every environment of the function (all versions): code or configuration changed, or deleted."""

    def runtime_available(self, runtime: str) -> bool:
        """Whether this machine can run the runtime (e.g. a python3.13 interpreter exists)."""

    async def prepare_runtime(self, runtime: str, code_dirs: Sequence[Path] | None = None) -> None:
        """Start what the runtime's cold starts fork from ahead of its first invocation: for a Python function
        whose code (``code_dirs``: its code and layers) is given, only the zygote it will be forked from."""

    def own_network_available(self) -> bool:
        """Whether an environment can have a network namespace of its own (FunctionSpec.network_isolated)."""

    # Concurrency (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
    def set_reserved_concurrency(self, function_arn: str, reserved: int | None) -> None:
        """Put/DeleteFunctionConcurrency (None deletes). Raises EngineError(kind="reserved_concurrency_too_high",
        message=Lambda's InvalidParameterValueException text) when it would leave less than the minimum
        unreserved concurrency (100 by default)."""

    def account_concurrency(self) -> AccountConcurrency:
        """GetAccountSettings' AccountLimit.ConcurrentExecutions and UnreservedConcurrentExecutions."""

    def set_provisioned_concurrency(self, spec: FunctionSpec, count: int) -> None:
        """PutProvisionedConcurrencyConfig on the version ``spec`` describes (an alias: pass its version's spec);
        starts initializing environments in the background. 0 = DeleteProvisionedConcurrencyConfig."""

    def provisioned_concurrency(self, spec_key: str) -> ProvisionedStatus | None:
        """GetProvisionedConcurrencyConfig's figures and Status, or None when none is configured."""

    async def wait_provisioned(self, spec_key: str) -> ProvisionedStatus | None:
        """Wait until the provisioned environments are all ready (READY) or provisioning failed (FAILED)."""
