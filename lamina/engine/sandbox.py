"""Starting environments in sandboxes, forked by the zygote of their runtime.

Python functions fork from a zygote of their interpreter with the runtime and
the SDK already imported, or from a lean one without the SDK when they do not
import it; Node.js and custom runtimes fork from the engine's interpreter and
exec. Inside, every environment sees /var/task, /opt,
/var/runtime and /tmp (see ``zygote/confine.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from pathlib import Path
from typing import Any, Callable, TypeVar

from lamina.engine import debugging
from lamina.engine.cgroups import EnvironmentCgroup
from lamina.engine.channel import Channel
from lamina.engine.environment import Connection
from lamina.engine.isolation import SANDBOX_UID, IsolationPlan, UidPool
from lamina.engine.launcher import InvalidEntrypoint, Launched, LaunchRequest, find_bootstrap
from lamina.engine.process import EnvironmentProcess
from lamina.engine.resources import peak_rss_kb
from lamina.engine.runtime_api import RuntimeApi
from lamina.engine.runtimes import tree
from lamina.engine.runtimes.catalog import RuntimeInfo, python_layout
from lamina.engine.sdk_use import PYTHON_SDK_MODULES
from lamina.engine.variables import EnvironmentPaths, function_variables
from lamina.engine.zygote.confine import SYSTEM_DIRS
from lamina.engine.zygotes import Zygote, engine_interpreter

Result = TypeVar("Result")

log = logging.getLogger("lamina.engine")

PATHS = EnvironmentPaths(task_root="/var/task", runtime_dir="/var/runtime", opt_dir="/opt", tmp_dir="/tmp")
CHANNEL_FD = 3  # where the zygote puts the channel in the environment
# What every Python zygote imports before forking: the runtime's modules and what most functions import.
PYTHON_PRELOAD = ["json", "decimal", "logging", "traceback", "uuid", "datetime"]
# What the SDK zygote imports besides: boto3 takes hundreds of milliseconds to import, but makes the zygote a
# larger process to fork (measured: 24.8 MB of anonymous memory and 262 mappings, against 10.6 MB and 166 for
# the lean zygote), which costs every environment forked from it in copied page tables and copy-on-write
# faults. A function whose code and layers never name one of sdk_use.PYTHON_SDK_MODULES is forked from the lean
# zygote (``sdk_use.py``), until one of its environments imports such a module after all (``Pool.learn``).
PYTHON_SDK_PRELOAD = ["boto3", "botocore.session", "urllib3", "http.client", "ssl"]
LEAN = "-lean"  # the lean zygote's key: the runtime's name and this
MAX_OPEN_FILES = 1024
MAX_PROCESSES = 1024


class SandboxResources:
    """An environment's cgroup (or its reported figures) and uid, given back once its processes are gone."""

    def __init__(self, process: EnvironmentProcess, cgroup: EnvironmentCgroup | None,
                 give_back_uid: Any) -> None:
        self.process = process
        self.cgroup = cgroup
        self._give_back_uid = give_back_uid

    def max_memory_mb(self, reported_kb: int | None) -> int:
        if self.cgroup is not None:
            return self.cgroup.max_memory_mb(reported_kb)
        kb = reported_kb or peak_rss_kb(self.process.pid)
        return -(-kb // 1024)

    def out_of_memory(self) -> bool:
        return self.cgroup is not None and self.cgroup.out_of_memory()

    def release(self) -> None:
        if self.process.exited.done():
            self._clean_up()
        else:
            self.process.exited.add_done_callback(lambda _: self._clean_up())

    def _clean_up(self) -> None:
        if self.cgroup is not None:
            self.cgroup.release()
            self.cgroup = None
        if self._give_back_uid is not None:
            self._give_back_uid()
            self._give_back_uid = None


def _up(future: asyncio.Future[Zygote]) -> bool:
    """A zygote that started and still runs."""
    return future.done() and not future.cancelled() and future.exception() is None and future.result().alive


class SandboxLauncher:
    def __init__(self, plan: IsolationPlan, work_dir: Path, endpoint_url: str) -> None:
        self.plan = plan
        self.work_dir = work_dir
        self.endpoint_url = endpoint_url
        self.uids = UidPool()
        self._zygotes: dict[str, asyncio.Future[Zygote]] = {}
        self._lean_failed: set[str] = set()
        self._threads: set[asyncio.Future[Any]] = set()  # work of zygote starts that shutdown waits for

    # zygotes
    async def zygote_for(self, runtime: RuntimeInfo, runtime_dir: Path) -> Zygote:
        return await asyncio.shield(self._zygote_future(runtime.name if runtime.family == "python" else "exec",
                                                        runtime, runtime_dir))

    def _zygote_future(self, key: str, runtime: RuntimeInfo, runtime_dir: Path) -> asyncio.Future[Zygote]:
        future = self._zygotes.get(key)
        if future is not None and future.done() and not _up(future):
            future = None  # failed to start, or died since: start another
        if future is None:
            future = self._zygotes[key] = asyncio.ensure_future(self._start_zygote(key, runtime, runtime_dir))
        return future

    async def lean_zygote(self, runtime: RuntimeInfo, runtime_dir: Path) -> Zygote | None:
        """The runtime's lean zygote for a function that does not import the SDK; None: fork it from the SDK
        zygote. While the lean zygote starts, an SDK zygote that is up serves at once; if neither is up, the
        lean one is awaited (it starts faster: no boto3 to import)."""
        future = self._zygotes.get(runtime.name + LEAN)
        if future is None or not future.done():
            sdk = self._zygotes.get(runtime.name)
            if sdk is not None and _up(sdk):
                self._lean_future(runtime, runtime_dir)  # for the next cold starts
                return None
        return await self._lean_started(runtime, runtime_dir)

    def _lean_future(self, runtime: RuntimeInfo, runtime_dir: Path) -> asyncio.Future[Zygote] | None:
        key = runtime.name + LEAN
        return None if key in self._lean_failed else self._zygote_future(key, runtime, runtime_dir)

    async def _lean_started(self, runtime: RuntimeInfo, runtime_dir: Path) -> Zygote | None:
        future = self._lean_future(runtime, runtime_dir)
        if future is None:
            return None
        await asyncio.wait([future])
        if future.exception() is not None:
            self._lean_failed.add(runtime.name + LEAN)
            log.warning("the lean zygote of %s did not start (%s): its functions fork from the SDK zygote",
                        runtime.name, future.exception())
            return None
        return future.result()

    async def _start_zygote(self, key: str, runtime: RuntimeInfo, runtime_dir: Path) -> Zygote:
        python = runtime.family == "python"
        interpreter = runtime.executable if python else engine_interpreter()
        assert interpreter is not None
        layout = await self._in_thread(python_layout, interpreter)
        visible = {str(layout.prefix): str(layout.prefix)}
        if python:
            await self._in_thread(tree.compile_for, runtime_dir, interpreter, runtime.name,
                                  PYTHON_PRELOAD + PYTHON_SDK_PRELOAD)
            visible["/var/runtime"] = str(runtime_dir)
            debugpy = debugging.debugpy_package()
            if debugpy is not None:  # read-only, on sys.path only in debug mode
                visible[f"{debugging.SANDBOX_DEBUGPY_ROOT}/debugpy"] = str(debugpy)
        elif runtime.executable is not None:
            # Node.js outside the OS directories (nvm, a tarball): its tree must be visible too.
            node_prefix = runtime.executable.parent.parent
            if not any(str(node_prefix).startswith(directory + "/") or str(node_prefix) == directory
                       for directory in SYSTEM_DIRS):
                visible[str(node_prefix)] = str(node_prefix)
        root = self.work_dir / "roots" / key
        root.mkdir(parents=True, exist_ok=True)
        config = {
            "mode": self.plan.mode, "sandbox_uid": SANDBOX_UID, "root": str(root),
            "runtime_dirs": visible, "hidden_dirs": [str(path) for path in layout.site_dirs],
            "python": python, "seccomp": self.plan.seccomp,
            "preload": (PYTHON_PRELOAD if key.endswith(LEAN) else PYTHON_PRELOAD + PYTHON_SDK_PRELOAD) if python else [],
            "sdk_modules": PYTHON_SDK_MODULES if python else [],  # both flavours watch (zygote/sdk_watch.py)
        }
        zygote = Zygote(key, interpreter, config)
        await zygote.start()
        return zygote

    async def prepare(self, runtime: RuntimeInfo, runtime_dir: Path, lean: bool | None = None) -> None:
        """Start the runtime's zygotes now rather than at its first cold starts: for Python, the SDK zygote
        (``lean`` False), the lean one (True) or both (None)."""
        if runtime.family != "python" or not lean:
            await self.zygote_for(runtime, runtime_dir)
        if runtime.family == "python" and lean is not False:
            await self._lean_started(runtime, runtime_dir)  # if it cannot start: says why, once

    async def _in_thread(self, function: Callable[..., Result], *args: Any) -> Result:
        """``function(*args)`` on a worker thread that ``stop`` waits for: a cancelled start leaves its thread
        running (threads cannot be cancelled), and it writes under the work directory, which whoever stopped
        the engine may remove next."""
        future = asyncio.get_running_loop().run_in_executor(None, function, *args)
        self._threads.add(future)
        future.add_done_callback(self._threads.discard)
        return await asyncio.shield(future)

    async def stop(self) -> None:
        """Stop the zygotes; zygote starts under way are cancelled, and awaited with their threads."""
        starting = []
        for future in self._zygotes.values():
            if not future.done():
                future.cancel()
                starting.append(future)
            elif _up(future):
                future.result().stop()
        self._zygotes.clear()
        await asyncio.gather(*starting, *self._threads, return_exceptions=True)

    # environments
    async def launch(self, request: LaunchRequest) -> Launched:
        spec, runtime = request.spec, request.runtime
        zygote = await self.lean_zygote(runtime, request.runtime_dir) \
            if request.lean and runtime.family == "python" else None
        lean = zygote is not None
        if zygote is None:
            zygote = await self.zygote_for(runtime, request.runtime_dir)
        if runtime.family == "provided":
            bootstrap = find_bootstrap(spec.code_dir, request.opt_dir)
            if not bootstrap.stat().st_mode & 0o111:
                raise InvalidEntrypoint(f"fork/exec {bootstrap}: permission denied")
            argv = ["/var/task/bootstrap" if bootstrap.parent == spec.code_dir else "/opt/bootstrap"]
        elif runtime.family == "nodejs":
            heap_mb = max(16, spec.memory_mb * 9 // 10)
            argv = [str(runtime.executable), f"--max-old-space-size={heap_mb}", "/var/runtime/bootstrap.js",
                    str(CHANNEL_FD)]
        else:
            argv = []
        runtime_api = RuntimeApi() if runtime.family == "provided" else None
        variables = function_variables(
            spec=spec, runtime=runtime, paths=PATHS, log_group=request.log_group, log_stream=request.log_stream,
            endpoint_url=self.endpoint_url, runtime_api=runtime_api and await runtime_api.start(),
            credentials=request.credentials, initialization_type=request.initialization_type,
        )
        if request.debug_port is not None:
            variables.update(debugging.debug_variables(runtime, request.debug_port, debugging.SANDBOX_DEBUGPY_ROOT))
        uid = self.uids.take() if self.plan.mode == "root" else SANDBOX_UID
        give_back = (lambda: self.uids.give_back(uid)) if self.plan.mode == "root" else None
        cgroup = self.plan.cgroups.create(request.environment_id, spec.memory_mb) if self.plan.cgroups else None
        limits = {"nofile": MAX_OPEN_FILES, "nproc": MAX_PROCESSES, "core": 0}
        if cgroup is None and runtime.family == "python":
            # Without a memory cgroup, cap the heap (private writable memory) at the function's memory.
            limits["data"] = spec.memory_mb * 1024 * 1024
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        read_fd, write_fd = os.pipe()
        passed = [write_fd] + ([] if runtime_api else [theirs.fileno()])
        cgroup_fds = cgroup.open_procs() if cgroup else []
        message: dict[str, Any] = {
            "channel": runtime_api is None,
            "task_dir": os.path.realpath(spec.code_dir),
            "opt_dir": os.path.realpath(request.opt_dir) if request.opt_dir else None,
            "runtime_dir": None if runtime.family == "python" else str(request.runtime_dir),
            "tmp_mb": spec.ephemeral_mb, "hostname": f"lamina-{request.environment_id[:12]}",
            "uid": uid, "gid": uid, "rlimits": limits, "network_namespace": spec.network_isolated,
            "env": variables, "argv": argv,
        }
        try:
            process = await zygote.spawn(message, passed + cgroup_fds)
        except BaseException:
            ours.close()
            os.close(read_fd)
            if runtime_api is not None:
                runtime_api.close()
            if cgroup is not None:
                cgroup.release()
            if give_back is not None:
                give_back()
            raise
        finally:
            theirs.close()
            os.close(write_fd)
            for fd in cgroup_fds:
                os.close(fd)
        if runtime_api is not None:
            ours.close()
            connection: Connection = runtime_api
        else:
            connection = await Channel.open(ours)
        return Launched(process=process, connection=connection, output_fd=read_fd,
                        resources=SandboxResources(process, cgroup, give_back), lean=lean)

