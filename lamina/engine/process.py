"""A running environment process as the engine sees it: its pid, its exit, and how to kill it."""

from __future__ import annotations

import asyncio
import os
import signal


class EnvironmentProcess:
    """One environment's process group. ``exited`` resolves to its return code (negative: killed by signal)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def kill(self) -> None:
        """SIGKILL the environment's whole process group (its runtime and anything it started)."""
        if self.exited.done():
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def set_exited(self, returncode: int) -> None:
        if not self.exited.done():
            self.exited.set_result(returncode)


def watch_child(process: EnvironmentProcess) -> None:
    """Reap a direct child of this process when it exits, without a thread per child (pidfd)."""
    loop = asyncio.get_running_loop()
    pidfd = os.pidfd_open(process.pid)

    def reap() -> None:
        try:
            _, status = os.waitpid(process.pid, os.WNOHANG)
        except ChildProcessError:
            status = 0
        loop.remove_reader(pidfd)
        os.close(pidfd)
        process.set_exited(os.waitstatus_to_exitcode(status))

    loop.add_reader(pidfd, reap)
