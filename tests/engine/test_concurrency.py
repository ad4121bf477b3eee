"""Scaling out, reserved concurrency, the account limit and throttling
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html)."""

from __future__ import annotations

import asyncio

import pytest

from lamina.engine.api import EngineError, Throttled
from tests.engine.conftest import Harness

# Each invocation waits until the test lets it go: the test controls how many are in flight.
GATED = {"app.py": """
    import os, socket
    def handler(event, context):
        with socket.create_connection(("127.0.0.1", event["port"])) as gate:
            gate.recv(1)
        return os.getpid()
"""}


class Gate:
    """A TCP server that holds every connection until opened: invocations block on it."""

    def __init__(self) -> None:
        self.arrived = asyncio.Queue[None]()
        self.opened = asyncio.Event()

    async def __aenter__(self) -> Gate:
        self.server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.arrived.put_nowait(None)
        await self.opened.wait()
        writer.write(b"x")
        await writer.drain()
        writer.close()

    async def wait_for(self, count: int) -> None:
        for _ in range(count):
            await self.arrived.get()

    async def __aexit__(self, *exc: object) -> None:
        self.opened.set()
        self.server.close()


def test_concurrent_invocations_get_their_own_environments(harness: Harness) -> None:
    spec = harness.function(GATED)

    async def scenario() -> list[str]:
        async with Gate() as gate:
            calls = [asyncio.create_task(harness.engine.invoke(spec, harness.invocation(spec, {"port": gate.port})))
                     for _ in range(3)]
            await gate.wait_for(3)
            gate.opened.set()
            return [(await call).environment_id for call in calls]

    environment_ids = harness.run(scenario())
    assert len(set(environment_ids)) == 3


def test_reserved_concurrency_throttles_beyond_the_reservation(harness: Harness) -> None:
    # As the provider does: the reservation is in the function's spec and registered with the engine.
    spec = harness.function(GATED, reserved_concurrency=1)
    harness.engine.set_reserved_concurrency(spec.function_arn, 1)

    async def scenario() -> None:
        async with Gate() as gate:
            first = asyncio.create_task(harness.engine.invoke(spec, harness.invocation(spec, {"port": gate.port})))
            await gate.wait_for(1)
            with pytest.raises(Throttled) as throttled:
                await harness.engine.invoke(spec, harness.invocation(spec, {"port": gate.port}))
            assert throttled.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
            assert throttled.value.message == "Rate Exceeded."
            gate.opened.set()
            assert (await first).function_error is None

    harness.run(scenario())
    # Once the first has finished, there is room again.
    assert harness.engine.concurrency.running(spec.function_arn) == 0


def test_reserved_concurrency_zero_disables_the_function(harness: Harness) -> None:
    spec = harness.function({"app.py": "def handler(e, c):\n    return 1\n"}, reserved_concurrency=0)
    with pytest.raises(Throttled) as throttled:
        harness.invoke(spec)
    assert throttled.value.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"


def test_account_limit_throttles_unreserved_functions(make_harness) -> None:
    harness = make_harness(account_concurrency=3, minimum_unreserved_concurrency=1)
    busy = harness.function(GATED)
    reserved = harness.function({"app.py": "def handler(e, c):\n    return 'reserved'\n"}, reserved_concurrency=1)
    other = harness.function({"app.py": "def handler(e, c):\n    return 'other'\n"})
    harness.engine.set_reserved_concurrency(reserved.function_arn, 1)
    assert harness.engine.account_concurrency().unreserved == 2

    async def scenario() -> None:
        async with Gate() as gate:
            calls = [asyncio.create_task(harness.engine.invoke(busy, harness.invocation(busy, {"port": gate.port})))
                     for _ in range(2)]
            await gate.wait_for(2)
            with pytest.raises(Throttled) as throttled:
                await harness.engine.invoke(other, harness.invocation(other))
            assert throttled.value.reason == "ConcurrentInvocationLimitExceeded"
            # The reservation is untouched by the unreserved functions' load.
            assert (await harness.engine.invoke(reserved, harness.invocation(reserved))).payload == b'"reserved"'
            gate.opened.set()
            await asyncio.gather(*calls)

    harness.run(scenario())


def test_reservations_cannot_eat_the_minimum_unreserved(make_harness) -> None:
    harness = make_harness(account_concurrency=1000)
    harness.engine.set_reserved_concurrency("arn:aws:lambda:us-east-1:000000000000:function:a", 900)
    with pytest.raises(EngineError) as refused:
        harness.engine.set_reserved_concurrency("arn:aws:lambda:us-east-1:000000000000:function:b", 1)
    assert refused.value.kind == "reserved_concurrency_too_high"
    assert "below its minimum value of [100]" in refused.value.message
    # Changing a function's own reservation counts only the others'.
    harness.engine.set_reserved_concurrency("arn:aws:lambda:us-east-1:000000000000:function:a", 850)
    harness.engine.set_reserved_concurrency("arn:aws:lambda:us-east-1:000000000000:function:a", None)
    assert harness.engine.account_concurrency().unreserved == 1000
