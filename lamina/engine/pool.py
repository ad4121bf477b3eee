"""The execution environments of one function version and configuration revision (one ``FunctionSpec.key``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from lamina.engine.api import Credentials, FunctionSpec
from lamina.engine.environment import ExecutionEnvironment
from lamina.engine.lifecycle import State

StartEnvironment = Callable[["Pool", Credentials | None, bool], Awaitable[ExecutionEnvironment]]


class Pool:
    """Idle environments are kept most-recently-used last: invocations take the warmest, reaping takes the coldest."""

    def __init__(self, spec: FunctionSpec, start: StartEnvironment) -> None:
        self.spec = spec
        self._start = start
        self.idle: list[ExecutionEnvironment] = []
        self.environments: set[ExecutionEnvironment] = set()
        self.provisioned_target = 0
        self.retired = False
        self.launching = 0  # environments being started, not yet in ``environments``
        # Whether the function imports the AWS SDK (Python): read from its code when the pool is made
        # (sdk_use.py), or, where that would take too long (None), learned from its first environment forked
        # with the SDK preloaded. False lets the lean zygote fork the next environments; True, once any
        # environment imports the SDK, is for good (sandbox.py).
        self.uses_sdk: bool | None = None

    @property
    def lean(self) -> bool:
        return self.uses_sdk is False

    def learn(self, environment: ExecutionEnvironment) -> None:
        """After an environment's init and each invocation: what it said of the SDK."""
        if environment.uses_sdk:
            self.uses_sdk = True
        elif environment.uses_sdk is False and self.uses_sdk is None and not environment.lean:
            self.uses_sdk = False

    async def start_environment(self, credentials: Credentials | None,
                                provisioned: bool = False) -> ExecutionEnvironment:
        self.launching += 1
        try:
            environment = await self._start(self, credentials, provisioned)
        finally:
            self.launching -= 1
        self.environments.add(environment)
        environment.on_dead = self._forget
        return environment

    def take_idle(self) -> ExecutionEnvironment | None:
        # Provisioned environments first: they exist to take invocations (Lambda routes to them first).
        for index in range(len(self.idle) - 1, -1, -1):
            if self.idle[index].provisioned:
                return self.idle.pop(index)
        return self.idle.pop() if self.idle else None

    def put_back(self, environment: ExecutionEnvironment) -> None:
        if environment.state is State.READY:
            if self.retired:
                environment.retire()
            else:
                self.idle.append(environment)

    def _forget(self, environment: ExecutionEnvironment) -> None:
        self.environments.discard(environment)
        if environment in self.idle:
            self.idle.remove(environment)

    def provisioned_count(self) -> int:
        return sum(1 for environment in self.environments
                   if environment.provisioned and environment.state is not State.DEAD)

    def retire(self) -> None:
        self.retired = True
        for environment in list(self.environments):
            environment.retire()

    def shutdown(self) -> None:
        for environment in list(self.environments):
            environment.shutdown()

    @property
    def unused(self) -> bool:
        """Nothing lives or is being started here, and nothing is to be provisioned: the pool can go."""
        return not self.environments and not self.launching and not self.provisioned_target
