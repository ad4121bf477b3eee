"""Per-environment cgroups (v1): memory limit and usage, out-of-memory kills, pids limit, CPU share.

One directory per environment under ``<controller>/lamina/engine-<pid>-<id>/``; the environment's
set-up process joins them by writing to ``cgroup.procs`` files the engine opens
and passes along. CPU share follows memory as in Lambda, where 1,769 MB is one
vCPU (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html);
it is a weight (``cpu.shares``), so idle CPU stays usable.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
MB_PER_VCPU = 1769
PIDS_MAX = 1024


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _read(path: Path) -> str:
    with open(path) as f:
        return f.read()


class CgroupTree:
    """The engine's cgroups under each v1 controller; ``probe`` says whether the machine lets us use them.

    Each engine has its own directory, ``<controller>/lamina/engine-<pid>-<id>/``, holding one cgroup
    per environment: several engines on one machine (a test suite, a second node) never touch each
    other's cgroups, and the leftovers of an engine that died are known by its pid being gone.
    """

    def __init__(self, name: str = "lamina") -> None:
        self.owner = f"engine-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.parents = {controller: ROOT / controller / name for controller in CONTROLLERS}
        self.bases = {controller: parent / self.owner for controller, parent in self.parents.items()}

    def probe(self) -> str | None:
        """None when usable, else why not."""
        for controller, base in self.bases.items():
            if not (ROOT / controller / "cgroup.procs").exists():
                return f"no cgroup v1 {controller} controller at {ROOT / controller}"
            try:
                base.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                return f"cannot create {base}: {error.strerror}"
        if not (self.bases["memory"] / "memory.oom_control").exists():
            return "the memory controller has no memory.oom_control"
        return None

    def create(self, environment_id: str, memory_mb: int) -> EnvironmentCgroup:
        paths = {controller: base / environment_id for controller, base in self.bases.items()}
        for path in paths.values():
            path.mkdir(parents=True)  # parents: an engine of an older lamina may have removed our empty base
        limit = memory_mb * 1024 * 1024
        _write(paths["memory"] / "memory.limit_in_bytes", str(limit))
        # No swap on top of the limit where the kernel accounts it.
        memsw = paths["memory"] / "memory.memsw.limit_in_bytes"
        if memsw.exists():
            _write(memsw, str(limit))
        _write(paths["pids"] / "pids.max", str(PIDS_MAX))
        _write(paths["cpu"] / "cpu.shares", str(max(2, memory_mb * 1024 // MB_PER_VCPU)))
        return EnvironmentCgroup(paths)

    def remove_leftovers(self) -> None:
        """Remove what engines that died left behind (never another live engine's cgroups)."""
        for parent in self.parents.values():
            for child in parent.iterdir() if parent.exists() else ():
                if child.is_dir() and child.name != self.owner and not _owner_alive(child.name):
                    _remove_tree(child)

    def release(self) -> None:
        """The engine stops: remove its directory (its environments' cgroups are gone by now)."""
        for base in self.bases.values():
            _remove_tree(base)


def _owner_alive(name: str) -> bool:
    parts = name.split("-")
    if len(parts) != 3 or parts[0] != "engine" or not parts[1].isdigit():
        return False  # an environment's cgroup from before engines had directories of their own
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_tree(path: Path) -> None:
    """rmdir, children first (a cgroup directory goes with rmdir once no process is in it)."""
    try:
        children = [child for child in path.iterdir() if child.is_dir()]
    except OSError:
        return
    for child in children:
        _remove_tree(child)
    try:
        path.rmdir()
    except OSError as error:
        log.debug("could not remove %s: %s", path, error)


class EnvironmentCgroup:
    """One environment's cgroups; also its ``Resources`` (see environment.py)."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths
        self._peak_fd: int | None = None

    def open_procs(self) -> list[int]:
        """Write-only fds on each controller's cgroup.procs, for the set-up process to join by writing 0."""
        return [os.open(path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for path in self.paths.values()]

    def max_memory_mb(self, reported_kb: int | None) -> int:
        # The runtime's own peak RSS counts what Lambda counts (the runtime's shared pages included);
        # the cgroup counts this environment's private memory only.
        try:
            if self._peak_fd is None:
                # Read after every invocation: kept open, so each read is one pread (open and close were
                # 6 % of the server's CPU under load).
                self._peak_fd = os.open(self.paths["memory"] / "memory.max_usage_in_bytes",
                                        os.O_RDONLY | os.O_CLOEXEC)
            charged = int(os.pread(self._peak_fd, 32, 0)) // 1024
        except (OSError, ValueError):
            charged = 0
        return math.ceil(max(reported_kb or 0, charged) / 1024)

    def out_of_memory(self) -> bool:
        try:
            for line in _read(self.paths["memory"] / "memory.oom_control").splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill":
                    return int(value) > 0
        except OSError:
            pass
        return False

    def release(self) -> None:
        """Remove the cgroups (called once the environment's processes are gone)."""
        if self._peak_fd is not None:
            os.close(self._peak_fd)
            self._peak_fd = None
        for path in self.paths.values():
            try:
                path.rmdir()
            except OSError as error:
                log.debug("could not remove %s: %s", path, error)
