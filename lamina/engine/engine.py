"""The engine: pools of execution environments per function version, concurrency, provisioning and reaping."""

from __future__ import annotations

import asyncio
import logging
import resource
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import orjson

from lamina.engine import debugging, isolation, layers
from lamina.engine.api import (
    AccountConcurrency,
    Credentials,
    EngineError,
    FunctionSpec,
    Invocation,
    InvocationResult,
    LogSink,
    ProvisionedStatus,
)
from lamina.engine.cgroups import favor_moves
from lamina.engine.concurrency import Concurrency
from lamina.engine.environment import ExecutionEnvironment
from lamina.engine.launcher import DirectLauncher, InvalidEntrypoint, LaunchRequest
from lamina.engine.logs import EnvironmentLog, stream_name
from lamina.engine.pool import Pool
from lamina.engine.provisioning import Provisioner
from lamina.engine.reaper import Reaper
from lamina.engine.runtimes import catalog, tree
from lamina.engine.sandbox import SandboxLauncher
from lamina.engine.sdk_use import names_sdk
from lamina.engine.settings import EngineSettings
from lamina.engine.zygotes import ZygoteError

log = logging.getLogger(__name__)


class Engine:
    """Implements ``EngineInterface`` (see ``lamina/engine/api.py`` for what each call promises)."""

    def __init__(self, settings: EngineSettings, log_sink: LogSink) -> None:
        self.settings = settings
        self.log_sink = log_sink
        self.concurrency = Concurrency(settings.account_concurrency, settings.minimum_unreserved_concurrency)
        self.pools: dict[str, Pool] = {}
        self._runtime_dirs: dict[str, asyncio.Future] = {}
        self._launcher: DirectLauncher | SandboxLauncher = DirectLauncher(settings.work_dir, settings.endpoint_url)
        self.isolation = isolation.reduced("not started")
        self._provisioner = Provisioner(self)
        self._reaper = Reaper(self)
        self._running = False

    # lifecycle of the engine
    async def start(self) -> None:
        self.settings.work_dir.mkdir(parents=True, exist_ok=True)
        # Each environment holds a few fds here (its channel, output pipe, pidfd): allow thousands.
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        # Every method runs on this loop's thread; the synchronous ones may schedule work on it.
        self.loop = asyncio.get_running_loop()
        await self._choose_isolation()
        self._running = True
        self._reaper.start()

    async def _choose_isolation(self) -> None:
        """Sandbox where the machine allows it; otherwise say once, clearly, that isolation is reduced."""
        chosen = isolation.plan(self.settings.isolation)
        if chosen.cgroups is not None:
            await asyncio.to_thread(chosen.cgroups.remove_leftovers)
            if self.settings.favor_cgroup_moves:
                log.info("lamina engine: cgroup moves without waiting for RCU (favordynmods): %s",
                         await asyncio.to_thread(favor_moves))
        if chosen.mode != "off":
            launcher = SandboxLauncher(chosen, self.settings.work_dir, self.settings.endpoint_url)
            exec_runtime = catalog.find_runtime("provided.al2023")
            assert exec_runtime is not None
            try:
                # The exec'd runtimes' zygote, started now: it proves (or not) that the sandbox works here.
                await launcher.prepare(exec_runtime, await self._runtime_dir("provided"))
            except ZygoteError as error:
                await launcher.stop()
                chosen = isolation.reduced(f"the sandbox could not start: {error}")
            else:
                self._launcher = launcher
        self.isolation = chosen
        if chosen.mode == "off":
            log.warning("lamina engine: %s", chosen.describe())
        else:
            log.info("lamina engine: %s", chosen.describe())

    async def stop(self) -> None:
        self._running = False
        self._reaper.stop()
        self._provisioner.stop()
        processes = [env.process for pool in self.pools.values() for env in pool.environments]
        for pool in list(self.pools.values()):
            pool.shutdown()
        self.pools.clear()
        # Let the killed environments' exits arrive, so their cgroups and uids are given back.
        if processes:
            await asyncio.wait([asyncio.shield(process.exited) for process in processes], timeout=5)
        if isinstance(self._launcher, SandboxLauncher):
            await self._launcher.stop()
        # Runtime trees being built (threads, which cannot be cancelled) write under the work directory.
        await asyncio.gather(*self._runtime_dirs.values(), return_exceptions=True)
        if self.isolation.cgroups is not None:
            await asyncio.to_thread(self.isolation.cgroups.release)

    # invocations
    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        if not self._running:
            raise EngineError("shutting_down", "The engine is not running.")
        if spec.reserved_concurrency != self.concurrency.reserved(spec.function_arn):
            self.set_reserved_concurrency(spec.function_arn, spec.reserved_concurrency)
        lease = self.concurrency.acquire(spec.function_arn)
        try:
            pool = self.pool(spec)
            environment = pool.take_idle()
            if environment is None:
                try:
                    environment = await pool.start_environment(invocation.credentials)
                except InvalidEntrypoint as error:
                    return invalid_entrypoint(invocation, str(error))
                failure = await environment.initialize(invocation.request_id)
                if failure is not None:
                    return environment.report_init_failure(invocation, failure)
            try:
                result = await environment.invoke(invocation)
            except BaseException:
                # Cancelled (the caller went away) or an engine bug: the runtime is mid-invocation and
                # cannot be trusted with another one.
                environment.shutdown()
                raise
            pool.learn(environment)
            pool.put_back(environment)
            if environment.provisioned and not pool.retired:
                self._provisioner.replenish(pool)
            return result
        finally:
            lease.release()

    def pool(self, spec: FunctionSpec) -> Pool:
        pool = self.pools.get(spec.key)
        if pool is None:
            pool = self.pools[spec.key] = Pool(spec, self._start_environment)
            if spec.runtime.startswith("python"):
                pool.uses_sdk = names_sdk((spec.code_dir, *spec.layer_dirs))
        return pool

    async def _start_environment(self, pool: Pool, credentials: Credentials | None,
                                 provisioned: bool) -> ExecutionEnvironment:
        spec = pool.spec
        runtime = catalog.find_runtime(spec.runtime)
        if runtime is None:
            raise EngineError("runtime_unavailable", f"The runtime {spec.runtime} is not available on this node.")
        self._reaper.make_room(spec.memory_mb)
        runtime_dir = await self._runtime_dir(runtime.family)
        # Merging layers copies files (once per layer list): off the loop. No layers, no thread hop.
        opt_dir = await asyncio.to_thread(layers.merged_opt, self.settings.work_dir, spec.layer_dirs) \
            if spec.layer_dirs else None
        environment_id = uuid.uuid4().hex
        group = spec.log_group or f"/aws/lambda/{spec.function_name}"
        stream = stream_name(spec.version, environment_id, time.time())
        debug_port = None
        if debugging.requested(spec):
            if runtime.family == "provided":
                log.warning("%s: debug mode is for the Python and Node.js runtimes, not %s", spec.function_name,
                            spec.runtime)
            else:
                debug_port = debugging.free_loopback_port()
                log.info("%s: environment %s waits for a debugger on 127.0.0.1:%d", spec.function_name,
                         environment_id[:12], debug_port)
        launched = await self._launcher.launch(LaunchRequest(
            spec=spec, runtime=runtime, runtime_dir=runtime_dir, opt_dir=opt_dir, environment_id=environment_id,
            log_group=group, log_stream=stream, credentials=credentials,
            initialization_type="provisioned-concurrency" if provisioned else "on-demand", debug_port=debug_port,
            lean=pool.lean,
        ))
        environment_log = EnvironmentLog(self.log_sink, spec.account_id, spec.region, group, stream)
        environment_log.attach(launched.output_fd)
        return ExecutionEnvironment(
            environment_id=environment_id, spec=spec, process=launched.process, connection=launched.connection,
            log=environment_log, resources=launched.resources,
            init_timeout_s=self.settings.init_timeout_s, debugging=debug_port is not None,
            credentials=credentials, provisioned=provisioned, billed_init=runtime.family == "provided",
            lean=launched.lean,
        )

    async def _runtime_dir(self, family: str):
        # Built once per family, off the event loop (copying the SDK takes a moment the first time).
        future = self._runtime_dirs.get(family)
        if future is None:
            future = self._runtime_dirs[family] = asyncio.ensure_future(
                asyncio.to_thread(tree.prepare, self.settings.work_dir, family))
        return await asyncio.shield(future)

    # configuration changes
    def retire(self, function_arn: str) -> None:
        for key, pool in list(self.pools.items()):
            if pool.spec.function_arn == function_arn:
                del self.pools[key]
                self._provisioner.forget(key)
                pool.retire()

    def runtime_available(self, runtime: str) -> bool:
        return catalog.find_runtime(runtime) is not None

    async def prepare_runtime(self, runtime: str, code_dirs: Sequence[Path] | None = None) -> None:
        found = catalog.find_runtime(runtime)
        if found is None:
            raise EngineError("runtime_unavailable", f"The runtime {runtime} is not available on this node.")
        runtime_dir = await self._runtime_dir(found.family)
        if isinstance(self._launcher, SandboxLauncher) and self._running:  # no zygote after stop()
            # None: both Python zygotes; else the one a function with this code is forked from (as Pool does).
            lean = None if code_dirs is None or found.family != "python" else names_sdk(tuple(code_dirs)) is False
            await self._launcher.prepare(found, runtime_dir, lean)

    def own_network_available(self) -> bool:
        return self.isolation.mode != "off"  # namespaces, as root or in a user namespace

    # concurrency
    def set_reserved_concurrency(self, function_arn: str, reserved: int | None) -> None:
        self.concurrency.set_reserved(function_arn, reserved)

    def account_concurrency(self) -> AccountConcurrency:
        return AccountConcurrency(limit=self.concurrency.account_limit,
                                  unreserved=self.concurrency.unreserved)

    def set_provisioned_concurrency(self, spec: FunctionSpec, count: int) -> None:
        self._provisioner.set_target(self.pool(spec), count)

    def provisioned_concurrency(self, spec_key: str) -> ProvisionedStatus | None:
        return self._provisioner.status(spec_key)

    async def wait_provisioned(self, spec_key: str) -> ProvisionedStatus | None:
        return await self._provisioner.wait(spec_key)


def invalid_entrypoint(invocation: Invocation, message: str) -> InvocationResult:
    """No environment could start: the custom runtime has no usable bootstrap
    (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-invocation-bootstrap)."""
    document = orjson.dumps({"errorType": "Runtime.InvalidEntrypoint",
                             "errorMessage": f"RequestId: {invocation.request_id} Error: {message}"})
    return InvocationResult(payload=document, function_error="Unhandled")
