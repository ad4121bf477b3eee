"""Starting an environment's runtime process as a plain child process (no sandbox).

This is the reduced-isolation path: the process sees the host file system
(its code at its real path), limited only by rlimits.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lamina.engine import debugging
from lamina.engine.api import Credentials, EngineError, FunctionSpec
from lamina.engine.channel import Channel
from lamina.engine.environment import Connection, Resources
from lamina.engine.process import EnvironmentProcess, watch_child
from lamina.engine.resources import ReportedResources
from lamina.engine.runtime_api import RuntimeApi
from lamina.engine.runtimes.catalog import RuntimeInfo
from lamina.engine.variables import EnvironmentPaths, function_variables

# Lambda's per-environment limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_PROCESSES = 1024
MAX_OPEN_FILES = 1024


@dataclass(slots=True)
class Launched:
    process: EnvironmentProcess
    connection: Connection
    output_fd: int  # read end of the runtime's stdout/stderr pipe
    resources: Resources
    lean: bool = False  # forked from a Python zygote without the SDK (sandbox.py)


@dataclass(frozen=True, slots=True)
class LaunchRequest:
    spec: FunctionSpec
    runtime: RuntimeInfo
    runtime_dir: Path
    opt_dir: Path | None  # merged layers, or None
    environment_id: str
    log_group: str
    log_stream: str
    credentials: Credentials | None
    initialization_type: str  # "on-demand" | "provisioned-concurrency"
    debug_port: int | None = None  # debug mode: the loopback port the runtime's debugger listens on
    lean: bool = False  # a Python function known not to import the SDK: a lean zygote may fork it


class InvalidEntrypoint(Exception):
    """The custom runtime's bootstrap is missing or cannot be executed."""


def find_bootstrap(code_dir: Path, opt_dir: Path | None) -> Path:
    """A custom runtime's ``bootstrap``: in the function's code, else in a layer
    (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html)."""
    candidates = [code_dir / "bootstrap"] + ([opt_dir / "bootstrap"] if opt_dir else [])
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InvalidEntrypoint("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")


class ScratchResources(ReportedResources):
    """Reported memory figures, plus the environment's scratch directory removed when it dies."""

    def __init__(self, scratch: Path, pid: int) -> None:
        super().__init__(pid)
        self.scratch = scratch

    def release(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)


class DirectLauncher:
    def __init__(self, work_dir: Path, endpoint_url: str) -> None:
        self.work_dir = work_dir
        self.endpoint_url = endpoint_url

    async def launch(self, request: LaunchRequest) -> Launched:
        spec, runtime = request.spec, request.runtime
        if spec.network_isolated:
            raise EngineError("network_unavailable",
                              "The function asks for a network of its own (LAMINA_NETWORK=none), which needs "
                              "namespaces; this lamina runs functions without them (isolation is off).")
        scratch = self.work_dir / "environments" / request.environment_id
        tmp = scratch / "tmp"
        tmp.mkdir(parents=True)
        opt = request.opt_dir or scratch / "opt"
        paths = EnvironmentPaths(task_root=str(spec.code_dir), runtime_dir=str(request.runtime_dir),
                                 opt_dir=str(opt), tmp_dir=str(tmp))
        runtime_api = RuntimeApi() if runtime.family == "provided" else None
        variables = function_variables(
            spec=spec, runtime=runtime, paths=paths, log_group=request.log_group, log_stream=request.log_stream,
            endpoint_url=self.endpoint_url, runtime_api=runtime_api and await runtime_api.start(),
            credentials=request.credentials, initialization_type=request.initialization_type,
        )
        if request.debug_port is not None:
            root = debugging.host_debugpy_root(self.work_dir)
            variables.update(debugging.debug_variables(runtime, request.debug_port, root and str(root)))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        read_fd, write_fd = os.pipe()
        try:
            if runtime_api is not None:
                command = [str(find_bootstrap(spec.code_dir, request.opt_dir))]
                passed: tuple[int, ...] = ()
            else:
                command = runtime_command(runtime, request.runtime_dir, theirs.fileno(), str(opt), spec)
                passed = (theirs.fileno(),)
            child = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=write_fd, stderr=write_fd, pass_fds=passed,
                env=variables, cwd=spec.code_dir, start_new_session=True, preexec_fn=_apply_rlimits,
            )
        except PermissionError as error:
            raise InvalidEntrypoint(f"fork/exec {command[0]}: permission denied") from error
        except BaseException:
            if runtime_api is not None:
                runtime_api.close()
            ours.close()
            os.close(read_fd)
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        finally:
            theirs.close()
            os.close(write_fd)
        process = EnvironmentProcess(child.pid)
        child.returncode = 0  # reaped through the pidfd watcher, not by Popen
        watch_child(process)
        if runtime_api is not None:
            ours.close()
            connection: Connection = runtime_api
        else:
            connection = await Channel.open(ours)
        return Launched(process=process, connection=connection, output_fd=read_fd,
                        resources=ScratchResources(scratch, child.pid))


def runtime_command(runtime: RuntimeInfo, runtime_dir: Path | str, channel_fd: int, opt_dir: str,
                    spec: FunctionSpec) -> list[str]:
    """The command line of the runtime process (Python and Node.js: lamina's bootstraps)."""
    if runtime.family == "python":
        return [str(runtime.executable), "-s", f"{runtime_dir}/bootstrap.py", str(channel_fd), opt_dir]
    if runtime.family == "nodejs":
        # As Lambda does, size V8's heap to the function's memory (90%), so it collects before the limit.
        heap_mb = max(16, spec.memory_mb * 9 // 10)
        return [str(runtime.executable), f"--max-old-space-size={heap_mb}", f"{runtime_dir}/bootstrap.js",
                str(channel_fd)]
    raise ValueError(f"no bootstrap for {runtime.family}")


def _apply_rlimits() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES))
