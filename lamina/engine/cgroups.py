"""Per-environment cgroups (v1): memory limit and usage, out-of-memory kills, pids limit, CPU share.

One directory per environment under ``<controller>/lamina/engine-<pid>-<id>/``; the environment's
set-up process joins them by writing to ``cgroup.procs`` files the engine opens
and passes along. CPU share follows memory as in Lambda, where 1,769 MB is one
vCPU (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html);
it is a weight (``cpu.shares``), so idle CPU stays usable.

Moving a process into a cgroup takes the kernel's cgroup_threadgroup_rwsem for writing, which waits
for an RCU grace period whenever no move happened in the last one: 10-15 ms on this machine, longer
than the rest of a cold start. The cgroup2 mount option ``favordynmods`` keeps that lock ready for
writers ("Reduce the latencies of dynamic cgroup modifications such as task migrations ... at the
cost of making hot path operations such as forks and exits more expensive",
https://docs.kernel.org/admin-guide/cgroup-v2.html); the lock is shared by every hierarchy, so
setting it on the machine's cgroup2 mount speeds up our v1 moves too (``favor_moves``).
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
MB_PER_VCPU = 1769
PIDS_MAX = 1024


def _write(path: Path, value: str) -> None:
    # Three system calls: on a cold start's path, where a Python file object took seven.
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _read(path: Path) -> str:
    with open(path) as f:
        return f.read()


MOUNTINFO = Path("/proc/self/mountinfo")
MS_REMOUNT = 0x20
# Per-mount options -> mount(2) flags: a remount replaces them, so they are passed back as they are.
_MOUNT_FLAGS = {"ro": 0x1, "nosuid": 0x2, "nodev": 0x4, "noexec": 0x8, "noatime": 0x400, "nodiratime": 0x800,
                "relatime": 0x200000}
FAVOR_DYNMODS = "favordynmods"


@dataclass(frozen=True, slots=True)
class Remount:
    """The mount(2) call that adds ``favordynmods`` to a cgroup2 mount and keeps everything else."""
    target: str
    flags: int
    data: str


def favordynmods_remount(mountinfo: str) -> Remount | str:
    """From /proc/self/mountinfo: the remount to make, or why there is none to make."""
    for line in mountinfo.splitlines():
        mount_part, _, filesystem_part = line.partition(" - ")
        filesystem = filesystem_part.split()
        if len(filesystem) < 3 or filesystem[0] != "cgroup2":
            continue
        fields = mount_part.split()
        target = fields[4].replace("\\040", " ")
        super_options = [option for option in filesystem[2].split(",") if option not in ("rw", "ro")]
        if FAVOR_DYNMODS in super_options:
            return f"already set on {target}"
        flags = MS_REMOUNT
        for option in fields[5].split(","):
            flags |= _MOUNT_FLAGS.get(option, 0)
        return Remount(target, flags, ",".join(super_options + [FAVOR_DYNMODS]))
    return "no cgroup2 file system is mounted"


def favor_moves() -> str:
    """Set ``favordynmods`` on the machine's cgroup2 mount (root only); says what happened."""
    try:
        plan = favordynmods_remount(MOUNTINFO.read_text())
    except OSError as error:
        return f"cannot read {MOUNTINFO}: {error.strerror}"
    if isinstance(plan, str):
        return plan
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(None, plan.target.encode(), None, ctypes.c_ulong(plan.flags), plan.data.encode()) != 0:
        return f"remounting {plan.target} with {FAVOR_DYNMODS} failed: {os.strerror(ctypes.get_errno())}"
    return f"set on {plan.target}"


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
        self._has_memsw = False  # whether the kernel accounts swap (probe finds out)

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
        self._has_memsw = (self.bases["memory"] / "memory.memsw.limit_in_bytes").exists()
        return None

    def create(self, environment_id: str, memory_mb: int) -> EnvironmentCgroup:
        paths = {controller: base / environment_id for controller, base in self.bases.items()}
        for path in paths.values():
            path.mkdir(parents=True)  # parents: an engine of an older lamina may have removed our empty base
        limit = memory_mb * 1024 * 1024
        _write(paths["memory"] / "memory.limit_in_bytes", str(limit))
        if self._has_memsw:  # no swap on top of the limit where the kernel accounts it
            _write(paths["memory"] / "memory.memsw.limit_in_bytes", str(limit))
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
        # The directory's entries say which are directories: no stat of each cgroup's ~30 control files
        # (an engine stopping with a thousand environments spent 1.4 s in this, 0.2 s without the stats).
        with os.scandir(path) as entries:
            children = [Path(entry.path) for entry in entries if entry.is_dir(follow_symlinks=False)]
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
