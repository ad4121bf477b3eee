"""The engine's side of the zygotes (``zygote/zygote.py``): starting them, asking for environments,
learning when environments exit."""

from __future__ import annotations

import array
import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

import orjson

from lamina.engine.process import EnvironmentProcess

log = logging.getLogger(__name__)

ZYGOTE_SCRIPT = Path(__file__).parent / "zygote" / "zygote.py"
MAX_FDS = 8
BUFFER = 1 << 20
# A zygote's start compiles nothing (pycs are built beforehand) but imports the SDK: seconds at most.
START_TIMEOUT_S = 60.0


class ZygoteError(Exception):
    """The zygote could not start, or could not set up an environment."""


class SandboxProcess(EnvironmentProcess):
    """An environment forked by a zygote, through the pidfd of its init (PID 1 of its namespaces): killing
    the init kills everything in the environment, and the pidfd tells when all of it is gone. Its runtime's
    exit status comes from the zygote (``runtime_exited``); ``exited`` resolves once both are known."""

    def __init__(self, pid: int, pidfd: int) -> None:
        super().__init__(pid)
        self.pidfd = pidfd
        self._code: int | None = None
        self._gone = False
        asyncio.get_running_loop().add_reader(pidfd, self._init_gone)
        self.exited.add_done_callback(self._close)

    def _close(self, _: asyncio.Future[int]) -> None:
        asyncio.get_running_loop().remove_reader(self.pidfd)
        os.close(self.pidfd)

    def _init_gone(self) -> None:
        # The kernel ends a namespace's init only once every other process in it is gone and reaped.
        asyncio.get_running_loop().remove_reader(self.pidfd)
        self._gone = True
        if self._code is not None:
            self.set_exited(self._code)

    def runtime_exited(self, code: int) -> None:
        """The zygote reaped the runtime: the environment ends with it (its init takes the rest along)."""
        self._code = code
        if self._gone:
            self.set_exited(code)
        else:
            self.kill()

    def kill(self) -> None:
        if self.exited.done():
            return
        try:
            # Killing the namespace's PID 1 kills every process in it.
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Zygote:
    def __init__(self, name: str, interpreter: Path, config: dict[str, Any]) -> None:
        self.name = name
        self.interpreter = interpreter
        self.config = config
        self._socket: socket.socket | None = None
        self._process: subprocess.Popen | None = None
        self._spawning: dict[int, asyncio.Future[SandboxProcess]] = {}
        self._environments: dict[int, SandboxProcess] = {}
        self._ready: asyncio.Future[dict[str, Any]] | None = None
        self._next_id = 0
        self._outbox: deque[tuple[bytes, list[int]]] = deque()
        self._writing = False

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    async def start(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = subprocess.Popen(
                # The name is for people reading ``ps``: which runtime (and flavour) a zygote serves. Without
                # the site module (-S): the machine's .pth files would import modules into every zygote (on
                # this machine 43, 2.6 MB and 55 mappings more to copy at every fork) that no function can
                # even see, the site directories being hidden in the sandbox.
                [str(self.interpreter), "-S", str(ZYGOTE_SCRIPT), str(theirs.fileno()), self.name],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, cwd="/",
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        self._socket = ours
        self._ready = loop.create_future()
        loop.add_reader(ours.fileno(), self._on_readable)
        ours.send(orjson.dumps(self.config))
        try:
            ready = await asyncio.wait_for(asyncio.shield(self._ready), START_TIMEOUT_S)
        except TimeoutError:
            self.stop()
            raise ZygoteError(f"zygote {self.name} did not start within {START_TIMEOUT_S:.0f} s") from None
        except asyncio.CancelledError:  # the engine stops while this zygote starts: it must not outlive it
            self.stop()
            raise
        if not ready.get("ready"):
            self.stop()
            raise ZygoteError(f"zygote {self.name} could not start:\n{ready.get('error', 'it exited')}")
        return ready

    async def spawn(self, request: dict[str, Any], fds: list[int]) -> SandboxProcess:
        if self._socket is None:
            raise ZygoteError(f"zygote {self.name} is not running")
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[SandboxProcess] = asyncio.get_running_loop().create_future()
        self._spawning[request_id] = future
        data = orjson.dumps({**request, "id": request_id})
        # The fds are duplicated so the caller may close its own copies as soon as this returns.
        self._outbox.append((data, [os.dup(fd) for fd in fds]))
        self._flush()
        return await future

    def _flush(self) -> None:
        """Send queued requests; when the zygote's socket buffer is full, wait until it can take more."""
        loop = asyncio.get_running_loop()
        while self._outbox and self._socket is not None:
            data, fds = self._outbox[0]
            try:
                self._socket.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            except BlockingIOError:
                if not self._writing:
                    self._writing = True
                    loop.add_writer(self._socket.fileno(), self._flush)
                return
            self._outbox.popleft()
            for fd in fds:
                os.close(fd)
        if self._writing and self._socket is not None:
            loop.remove_writer(self._socket.fileno())
        self._writing = False

    def _on_readable(self) -> None:
        assert self._socket is not None
        while True:
            try:
                data, ancillary, _, _ = self._socket.recvmsg(BUFFER, socket.CMSG_SPACE(MAX_FDS * 4))
            except BlockingIOError:
                return
            except OSError:
                data, ancillary = b"", []
            if not data:
                self._lost()
                return
            fds = array.array("i")
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
            self._dispatch(orjson.loads(data), list(fds))

    def _dispatch(self, message: dict[str, Any], fds: list[int]) -> None:
        if "ready" in message:
            if self._ready is not None and not self._ready.done():
                self._ready.set_result(message)
        elif "spawned" in message:
            # The zygote names the environment by the pid its init factory sees; ours comes from the pidfd.
            process = SandboxProcess(pidfd_pid(fds[0]), fds[0])
            self._track(message["pid"], process)
            future = self._spawning.pop(message["spawned"], None)
            if future is not None and not future.done():
                future.set_result(process)
            else:
                process.kill()
        elif "failed" in message:
            future = self._spawning.pop(message["failed"], None)
            if future is not None and not future.done():
                future.set_exception(ZygoteError(f"environment set-up failed: {message['error']}"))
        elif "exited" in message:
            process = self._environments.get(message["exited"])
            if process is not None:
                process.runtime_exited(message["code"])

    def _track(self, init_pid: int, process: SandboxProcess) -> None:
        """Keep the environment by its init's pid (the zygote's name for it) until it is gone: after its
        runtime's exit it is still ended by ``_lost`` if the zygote goes first. A new init may take the
        pid once this one is gone, before this entry's callback runs: the callback removes only its own."""
        self._environments[init_pid] = process

        def forget(_: asyncio.Future[int]) -> None:
            if self._environments.get(init_pid) is process:
                del self._environments[init_pid]

        process.exited.add_done_callback(forget)

    def _lost(self) -> None:
        """The zygote is gone: nothing will report on its environments any more, so end them."""
        if self._socket is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._socket.fileno())
            if self._writing:
                loop.remove_writer(self._socket.fileno())
                self._writing = False
            self._socket.close()
            self._socket = None
        if self._ready is not None and not self._ready.done():
            self._ready.set_result({"ready": False})
        for future in self._spawning.values():
            if not future.done():
                future.set_exception(ZygoteError(f"zygote {self.name} exited"))
        self._spawning.clear()
        for _, fds in self._outbox:
            for fd in fds:
                os.close(fd)
        self._outbox.clear()
        for process in list(self._environments.values()):
            process.kill()
            process.set_exited(-signal.SIGKILL)
        self._environments.clear()
        if self._process is not None:
            self._process.poll()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._socket is not None:
            self._lost()


def pidfd_pid(pidfd: int) -> int:
    """The pid, in this process's PID namespace, of the process a pidfd refers to."""
    with open(f"/proc/self/fdinfo/{pidfd}") as f:
        for line in f:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    raise ZygoteError("the kernel does not say which process a pidfd refers to")


def engine_interpreter() -> Path:
    """The interpreter that runs the engine: it serves as the zygote of exec'd runtimes."""
    return Path(sys.executable).resolve()
