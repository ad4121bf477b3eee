"""Per-environment cgroups (v1): memory limit and usage, out-of-memory kills, pids limit, CPU share.

One directory per environment under ``<controller>/lamina/``; the environment's
set-up process joins them by writing to ``cgroup.procs`` files the engine opens
and passes along. CPU share follows memory as in Lambda, where 1,769 MB is one
vCPU (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html);
it is a weight (``cpu.shares``), so idle CPU stays usable.
"""

from __future__ import annotations

import logging
import math
import os
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
    """The engine's cgroups under each v1 controller; ``probe`` says whether the machine lets us use them."""

    def __init__(self, name: str = "lamina") -> None:
        self.bases = {controller: ROOT / controller / name for controller in CONTROLLERS}

    def probe(self) -> str | None:
        """None when usable, else why not."""
        for controller, base in self.bases.items():
            if not (ROOT / controller / "cgroup.procs").exists():
                return f"no cgroup v1 {controller} controller at {ROOT / controller}"
            try:
                base.mkdir(exist_ok=True)
            except OSError as error:
                return f"cannot create {base}: {error.strerror}"
        if not (self.bases["memory"] / "memory.oom_control").exists():
            return "the memory controller has no memory.oom_control"
        return None

    def create(self, environment_id: str, memory_mb: int) -> EnvironmentCgroup:
        paths = {controller: base / environment_id for controller, base in self.bases.items()}
        for path in paths.values():
            path.mkdir()
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
        """Environments of an engine that died left empty cgroups: remove them."""
        for base in self.bases.values():
            for child in base.iterdir() if base.exists() else ():
                if child.is_dir():
                    try:
                        child.rmdir()
                    except OSError:
                        pass


class EnvironmentCgroup:
    """One environment's cgroups; also its ``Resources`` (see environment.py)."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths

    def open_procs(self) -> list[int]:
        """Write-only fds on each controller's cgroup.procs, for the set-up process to join by writing 0."""
        return [os.open(path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for path in self.paths.values()]

    def max_memory_mb(self, reported_kb: int | None) -> int:
        # The runtime's own peak RSS counts what Lambda counts (the runtime's shared pages included);
        # the cgroup counts this environment's private memory only.
        try:
            charged = int(_read(self.paths["memory"] / "memory.max_usage_in_bytes")) // 1024
        except OSError:
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
        for path in self.paths.values():
            try:
                path.rmdir()
            except OSError as error:
                log.debug("could not remove %s: %s", path, error)
