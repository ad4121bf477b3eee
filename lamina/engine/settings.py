"""How the engine is configured by the process that owns it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class EngineSettings:
    # Where the engine keeps its files (runtime trees, per-environment scratch space);
    # normally ``<data dir>/engine``. Created on start.
    work_dir: Path
    # What ``AWS_ENDPOINT_URL`` is inside functions, so boto3 in a handler talks to lamina.
    endpoint_url: str = "http://127.0.0.1:9060"
    # Idle environments are kept warm this long, then reaped.
    idle_timeout_s: float = 300.0
    # Account-level concurrency (GetAccountSettings' ConcurrentExecutions).
    account_concurrency: int = 1000
    # Lambda keeps at least this much concurrency unreserved
    # (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
    minimum_unreserved_concurrency: int = 100
    # "auto": namespaces/cgroups/seccomp where the machine allows, reduced isolation (said once) where not;
    # "off": plain child processes with rlimits only.
    isolation: str = "auto"
    # The Init phase's own limit for on-demand environments
    # (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
    init_timeout_s: float = 10.0
    # Memory the engine may give to idle environments before reaping least recently used ones;
    # None: a share of the machine's memory.
    memory_budget_mb: int | None = None
    # Root with cgroups: set ``favordynmods`` on the machine's cgroup2 mount so that moving a new
    # environment into its cgroups does not wait 10-15 ms for an RCU grace period (see cgroups.py).
    # A machine-wide setting, hence a setting here (LAMINA_CGROUP_FAVORDYNMODS=0 leaves it alone).
    favor_cgroup_moves: bool = True
