"""Environments over time: idle reaping, retirement on update, provisioned concurrency, engine shutdown."""

from __future__ import annotations

import asyncio
import dataclasses
import json

from lamina.engine.lifecycle import State
from tests.engine.conftest import Harness

PID = {"app.py": """
    import os
    def handler(event, context):
        return {"pid": os.getpid(), "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""}


def environments(harness: Harness, key: str):
    pool = harness.engine.pools.get(key)
    return list(pool.environments) if pool else []


def test_idle_environments_are_reaped(make_harness) -> None:
    harness = make_harness(idle_timeout_s=0.3)
    spec = harness.function(PID)
    first = harness.invoke(spec)
    [environment] = environments(harness, spec.key)
    # The reaper kills it once idle past the timeout: wait for the process's exit, not for a fixed time.
    harness.run(asyncio.wait_for(asyncio.shield(environment.process.exited), 5))
    assert environment.state is State.DEAD
    second = harness.invoke(spec)
    assert second.environment_id != first.environment_id and second.init_duration_ms is not None


def test_busy_environments_are_not_reaped(make_harness) -> None:
    harness = make_harness(idle_timeout_s=0.1)
    spec = harness.function({"app.py": "import time, os\ndef handler(e, c):\n    time.sleep(0.5)\n    return os.getpid()\n"})
    first = harness.invoke(spec)
    assert first.function_error is None and first.duration_ms >= 500


def test_retire_replaces_environments_after_an_update(harness: Harness) -> None:
    spec = harness.function(PID)
    before = harness.invoke(spec)
    [old] = environments(harness, spec.key)
    harness.engine.retire(spec.function_arn)
    assert old.state is State.DEAD
    (spec.code_dir / "app.py").write_text("def handler(e, c):\n    return 'new code'\n")
    updated = dataclasses.replace(spec, key=spec.key + ":2")
    after = harness.invoke(updated)
    assert after.payload == b'"new code"' and after.environment_id != before.environment_id


def test_retire_during_an_invocation_lets_it_finish_then_drops_the_environment(harness: Harness) -> None:
    spec = harness.function({"app.py": "import time\ndef handler(e, c):\n    time.sleep(0.3)\n    return 'finished'\n"})

    async def scenario():
        call = asyncio.create_task(harness.engine.invoke(spec, harness.invocation(spec)))
        while not environments(harness, spec.key) or environments(harness, spec.key)[0].state is not State.INVOKING:
            await asyncio.sleep(0.01)
        [environment] = environments(harness, spec.key)
        harness.engine.retire(spec.function_arn)
        assert environment.state is State.DRAINING
        result = await call
        return environment, result

    environment, result = harness.run(scenario())
    assert result.payload == b'"finished"'
    assert environment.state is State.DEAD


def test_provisioned_concurrency_keeps_initialized_environments(harness: Harness) -> None:
    spec = harness.function(PID)
    harness.engine.set_provisioned_concurrency(spec, 2)
    status = harness.run(harness.engine.wait_provisioned(spec.key))
    assert (status.requested, status.allocated, status.available, status.status) == (2, 2, 2, "READY")
    ready = environments(harness, spec.key)
    assert len(ready) == 2 and all(env.state is State.READY and env.init_ms for env in ready)
    result = harness.invoke(spec)
    body = json.loads(result.payload)
    assert body["init"] == "provisioned-concurrency"
    # Already initialized: no init on the invocation's path.
    assert result.init_duration_ms is None
    assert result.environment_id in {env.id for env in ready}


def test_provisioned_environments_are_not_idle_reaped(make_harness) -> None:
    harness = make_harness(idle_timeout_s=0.05)
    spec = harness.function(PID)
    harness.engine.set_provisioned_concurrency(spec, 1)
    harness.run(harness.engine.wait_provisioned(spec.key))
    [environment] = environments(harness, spec.key)
    harness.run(asyncio.sleep(0.5))  # several reaper sweeps: nothing to await, the point is that nothing happens
    assert environment.state is State.READY


def test_provisioned_concurrency_is_replenished_after_a_crash(harness: Harness) -> None:
    spec = harness.function({"app.py": "import os\ndef handler(e, c):\n    os._exit(1)\n"})
    harness.engine.set_provisioned_concurrency(spec, 1)
    harness.run(harness.engine.wait_provisioned(spec.key))
    crashed = harness.invoke(spec)
    assert json.loads(crashed.payload)["errorType"] == "Runtime.ExitError"
    status = harness.run(harness.engine.wait_provisioned(spec.key))
    assert status.available == 1
    assert all(env.id != crashed.environment_id for env in environments(harness, spec.key))


def test_provisioned_concurrency_reports_init_failure(harness: Harness) -> None:
    spec = harness.function({"app.py": "import missing_dependency\n"})
    harness.engine.set_provisioned_concurrency(spec, 1)
    status = harness.run(harness.engine.wait_provisioned(spec.key))
    assert status.status == "FAILED" and "Runtime.ImportModuleError" in status.status_reason


def test_removing_provisioned_concurrency(harness: Harness) -> None:
    spec = harness.function(PID)
    harness.engine.set_provisioned_concurrency(spec, 1)
    harness.run(harness.engine.wait_provisioned(spec.key))
    harness.engine.set_provisioned_concurrency(spec, 0)
    assert harness.engine.provisioned_concurrency(spec.key) is None
    assert not any(env.provisioned for env in environments(harness, spec.key))


def test_stop_kills_every_environment(make_harness) -> None:
    harness = make_harness()
    spec = harness.function(PID)
    harness.invoke(spec)
    [environment] = environments(harness, spec.key)
    harness.run(harness.engine.stop())
    harness.run(asyncio.wait_for(asyncio.shield(environment.process.exited), 5))
    assert environment.state is State.DEAD


def test_least_recently_used_idle_environments_make_room_under_the_memory_budget(make_harness) -> None:
    harness = make_harness(memory_budget_mb=300)
    oldest = harness.function(PID, memory_mb=128)
    newer = harness.function(PID, memory_mb=128)
    third = harness.function(PID, memory_mb=128)
    harness.invoke(oldest)
    harness.invoke(newer)
    [old_environment] = environments(harness, oldest.key)
    [newer_environment] = environments(harness, newer.key)
    # 3 x 128 MB does not fit in 300 MB: the least recently used idle environment goes.
    harness.invoke(third)
    harness.run(asyncio.wait_for(asyncio.shield(old_environment.process.exited), 5))
    assert old_environment.state is State.DEAD
    assert newer_environment.state is State.READY
