"""What isolation this machine allows, decided once when the engine starts, and said once in the log.

Modes: ``root`` (namespaces, a distinct unprivileged uid per environment, cgroups
where v1 controllers are available), ``userns`` (not root: namespaces inside a
user namespace, one mapped uid, rlimits), ``off`` (plain child processes with
rlimits: reduced isolation).
"""

from __future__ import annotations

import logging
import os
import platform
from dataclasses import dataclass

from lamina.engine.cgroups import CgroupTree

log = logging.getLogger("lamina.engine")

# The uid Lambda runs functions as (sbx_user1051) is what a function sees in a user namespace.
SANDBOX_UID = 993
# Root mode: each environment gets its own uid from this range (so rlimits per uid are per environment).
UID_BASE = 200_000
UID_COUNT = 65_536


@dataclass(frozen=True, slots=True)
class IsolationPlan:
    mode: str  # "root" | "userns" | "off"
    cgroups: CgroupTree | None
    seccomp: bool
    reason: str = ""  # why isolation is reduced, if it is

    def describe(self) -> str:
        if self.mode == "off":
            return f"isolation REDUCED: functions run as plain child processes with rlimits ({self.reason})"
        memory = "cgroups v1 (memory, pids, cpu)" if self.cgroups else f"rlimits ({self.reason})"
        who = "a distinct unprivileged uid per environment" if self.mode == "root" else \
            f"uid {SANDBOX_UID} in a user namespace"
        filter_ = "seccomp filter" if self.seccomp else "no seccomp filter (only x86_64 is covered)"
        return (f"isolation: mount/PID/IPC/UTS namespaces, read-only /var/task and /opt, private /tmp, "
                f"{who}, no capabilities, no_new_privs, {filter_}; limits through {memory}")


def plan(setting: str) -> IsolationPlan:
    """The isolation to use for ``setting`` ("auto" | "off"); zygote start-up confirms it works."""
    if setting == "off":
        return IsolationPlan("off", None, False, "isolation is off in the settings")
    if platform.system() != "Linux" or not hasattr(os, "pidfd_open"):
        return IsolationPlan("off", None, False, "namespaces need Linux 5.3+")
    seccomp = platform.machine() == "x86_64"
    if os.geteuid() == 0:
        cgroups = CgroupTree()
        problem = cgroups.probe()
        return IsolationPlan("root", None if problem else cgroups, seccomp, problem or "")
    try:
        with open("/proc/sys/user/max_user_namespaces") as f:
            if int(f.read()) == 0:
                return IsolationPlan("off", None, False, "user namespaces are disabled on this machine")
    except OSError:
        pass
    return IsolationPlan("userns", None, seccomp, "cgroups need root")


def reduced(reason: str) -> IsolationPlan:
    return IsolationPlan("off", None, False, reason)


class UidPool:
    """Distinct host uids for root mode, reused once their environment is gone."""

    def __init__(self, base: int = UID_BASE, count: int = UID_COUNT) -> None:
        self._free = list(range(base + count - 1, base - 1, -1))

    def take(self) -> int:
        if not self._free:
            raise RuntimeError("no free sandbox uid")
        return self._free.pop()

    def give_back(self, uid: int) -> None:
        self._free.append(uid)
