"""Reaping idle environments: after the idle time, and least recently used first when memory is short."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamina.engine.engine import Engine
    from lamina.engine.environment import ExecutionEnvironment

log = logging.getLogger(__name__)


class Reaper:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._task: asyncio.Task | None = None

    @property
    def interval(self) -> float:
        return min(10.0, max(0.05, self.engine.settings.idle_timeout_s / 4))

    def start(self) -> None:
        self._task = self.engine.loop.create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.sweep()
            except Exception:  # a reaping bug must not stop reaping
                log.exception("reaping failed")

    def sweep(self) -> None:
        idle_timeout = self.engine.settings.idle_timeout_s
        for key, pool in list(self.engine.pools.items()):
            for environment in list(pool.idle):
                if not environment.provisioned and environment.idle_for >= idle_timeout:
                    environment.reap()
            if pool.unused:
                del self.engine.pools[key]
        # The machine itself is short of memory: give back the coldest idle environment each sweep.
        if host_memory_low():
            coldest = self._idle_by_age()
            if coldest:
                log.info("memory is low: reaping idle environment %s", coldest[0].id)
                coldest[0].reap()

    def make_room(self, memory_mb: int) -> None:
        """Before starting an environment: reap idle ones, least recently used first, until the
        environments' memory fits the budget (provisioned and busy ones are never reaped for this)."""
        budget = self.budget_mb
        committed = sum(env.spec.memory_mb for pool in self.engine.pools.values() for env in pool.environments)
        for environment in self._idle_by_age():
            if committed + memory_mb <= budget:
                return
            committed -= environment.spec.memory_mb
            environment.reap()

    @property
    def budget_mb(self) -> int:
        configured = self.engine.settings.memory_budget_mb
        return configured if configured is not None else int(host_memory_mb() * BUDGET_SHARE)

    def _idle_by_age(self) -> list[ExecutionEnvironment]:
        idle = [env for pool in self.engine.pools.values() for env in pool.idle if not env.provisioned]
        return sorted(idle, key=lambda env: env.last_used)


# Without a configured budget, environments may take this share of the machine's memory.
BUDGET_SHARE = 0.75
# Below this share of memory available, the machine is short.
LOW_MEMORY_SHARE = 0.10


def _meminfo() -> dict[str, int]:
    values = {}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                name, _, rest = line.partition(":")
                values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values


def host_memory_mb() -> int:
    return _meminfo().get("MemTotal", 4 * 1024 * 1024) // 1024


def host_memory_low() -> bool:
    info = _meminfo()
    total, available = info.get("MemTotal"), info.get("MemAvailable")
    return bool(total and available is not None and available < total * LOW_MEMORY_SHARE)
