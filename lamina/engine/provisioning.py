"""Provisioned concurrency: keeping N initialized environments ready for a function version
(https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lamina.engine.api import ProvisionedStatus
from lamina.engine.lifecycle import State
from lamina.engine.pool import Pool

if TYPE_CHECKING:
    from lamina.engine.engine import Engine

# Environments initialized at the same time while filling a target (each init is CPU-bound).
PARALLEL_INITS = 4


@dataclass(slots=True)
class _Target:
    pool: Pool
    count: int
    task: asyncio.Task | None = None
    failure: str | None = None
    settled: asyncio.Event = field(default_factory=asyncio.Event)


class Provisioner:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._targets: dict[str, _Target] = {}

    def set_target(self, pool: Pool, count: int) -> None:
        key = pool.spec.key
        if count <= 0:
            self.forget(key)
            return
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = _Target(pool, count)
        target.count = count
        target.failure = None
        pool.provisioned_target = count
        self._shrink(target)
        self.replenish(pool)

    def forget(self, key: str) -> None:
        target = self._targets.pop(key, None)
        if target is None:
            return
        if target.task is not None:
            target.task.cancel()
        target.pool.provisioned_target = 0
        for environment in target.pool.environments:
            # No longer provisioned: ordinary warm environments, reaped when idle.
            environment.provisioned = False
        target.settled.set()

    def replenish(self, pool: Pool) -> None:
        """Start environments until the target is met again (after a provisioned one died or was used up)."""
        target = self._targets.get(pool.spec.key)
        if target is None or target.failure is not None or (target.task is not None and not target.task.done()):
            return
        if pool.provisioned_count() >= target.count:
            target.settled.set()
            return
        target.settled.clear()
        target.task = self.engine.loop.create_task(self._fill(target))

    def _shrink(self, target: _Target) -> None:
        extra = target.pool.provisioned_count() - target.count
        for environment in [env for env in target.pool.idle if env.provisioned][:max(0, extra)]:
            environment.reap()

    async def _fill(self, target: _Target) -> None:
        pool = target.pool
        try:
            while pool.provisioned_count() < target.count and target.failure is None:
                missing = min(PARALLEL_INITS, target.count - pool.provisioned_count())
                await asyncio.gather(*(self._start_one(target) for _ in range(missing)))
        finally:
            target.settled.set()

    async def _start_one(self, target: _Target) -> None:
        pool = target.pool
        environment = await pool.start_environment(None, provisioned=True)
        failure = await environment.initialize()
        if failure is not None:
            environment.discard_failed_init()
            target.failure = f"{failure.error_type}: {failure.document.decode('utf-8', 'replace')}"
            return
        pool.learn(environment)
        pool.put_back(environment)

    def status(self, key: str) -> ProvisionedStatus | None:
        target = self._targets.get(key)
        if target is None:
            return None
        live = [env for env in target.pool.environments if env.provisioned and env.state is not State.DEAD]
        available = sum(1 for env in live if env.state is not State.STARTING)
        if target.failure is not None:
            status = "FAILED"
        elif available >= target.count:
            status = "READY"
        else:
            status = "IN_PROGRESS"
        return ProvisionedStatus(requested=target.count, allocated=min(len(live), target.count),
                                 available=min(available, target.count), status=status,
                                 status_reason=target.failure)

    async def wait(self, key: str) -> ProvisionedStatus | None:
        """Wait until the target is met or has failed."""
        target = self._targets.get(key)
        if target is not None:
            await target.settled.wait()
        return self.status(key)

    def stop(self) -> None:
        for key in list(self._targets):
            self.forget(key)
