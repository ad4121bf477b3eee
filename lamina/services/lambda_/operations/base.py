"""The state every group of Lambda operations shares."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Coroutine

from lamina.engine.api import EngineInterface, FunctionSpec
from lamina.gateway.downloads import SignedDownloads
from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration, hot_reload, native_code
from lamina.services.lambda_.aliases import AliasTable
from lamina.services.lambda_.code_store import CodeArtifact, CodeStore
from lamina.services.lambda_.errors import InvalidParameterValueException, PreconditionFailedException
from lamina.services.lambda_.execution_role import ExecutionRoles
from lamina.services.lambda_.functions import FunctionRecord, FunctionTable, function_key
from lamina.services.lambda_.invoke import function_spec
from lamina.services.lambda_.layers import LayerTable
from lamina.services.lambda_.lifecycle import Lifecycle
from lamina.services.lambda_.targets import Resolver, Target
from lamina.services.lambda_.versions import VersionTable
from lamina.services.platform import Platform
from lamina.services.provider import Provider

log = logging.getLogger("lamina.lambda")


class LambdaBase(Provider):
    service_name = "lambda"

    def __init__(self, platform: Platform, code: CodeStore) -> None:
        self.platform = platform
        self.store = platform.store
        self.engine: EngineInterface = platform.engine
        self.downloads: SignedDownloads = platform.downloads
        self.account_concurrency = platform.settings.account_concurrency
        self.code = code
        self.functions = FunctionTable(self.store)
        self.versions = VersionTable(self.store)
        self.aliases = AliasTable(self.store)
        self.resolver = Resolver(self.functions, self.versions, self.aliases)
        self.lifecycle = Lifecycle(self.functions)
        self.roles = ExecutionRoles(platform)
        self._specs: dict[tuple[Any, ...], FunctionSpec] = {}  # see spec_for
        self._preparing: set[asyncio.Task[None]] = set()  # see code_changed

    async def resolve(self, ctx: CallContext, name: str, qualifier: str | None = None, *,
                      shared: bool = False) -> Target:
        """The function, version or alias a request names (name, partial or full ARN, qualifier);
        ``shared`` for operations that only read it (see FunctionTable.find)."""
        return await self.resolver.resolve(ctx.region, ctx.account_id, name, qualifier, shared=shared)

    def spec_for(self, target: Target, version: str | None = None, config: dict[str, Any] | None = None,
                 code: dict[str, Any] | None = None) -> FunctionSpec:
        """The engine's description of the version a target runs (``version`` overrides alias routing)."""
        config = config or target.config
        code = code or target.code
        code_dir = Path(code["path"]) if code.get("path") else self.code.ensure_extracted(code["digest"])
        layers = tuple(code.get("layers", ()))
        record = target.record
        # Every change of a version's configuration gives it a new RevisionId (the engine's spec key relies on
        # that too), and every change of its code a new digest or hot-reload generation: what the spec is made
        # of is known from these without reading the whole configuration on every invocation.
        key = (record.arn, config["Version"], config["RevisionId"], code["digest"], code.get("generation", 0),
               code_dir, layers, record.reserved_concurrency)
        spec = self._specs.get(key)
        if spec is None:
            layer_dirs = tuple(self._layer_dir(reference) for reference in layers)
            spec = function_spec(config, code, code_dir, layer_dirs, record.account, record.region, record.arn,
                                 record.reserved_concurrency)
            if len(self._specs) > 10_000:
                self._specs.clear()
            self._specs[key] = spec
        return spec

    def _layer_dir(self, reference: str) -> Path:
        if reference.startswith(hot_reload.PREFIX):
            return Path(reference[len(hot_reload.PREFIX):])
        return self.code.ensure_extracted(reference)

    # Contracts between operation groups (each implemented by one group, see provider.py).
    async def publish(self, record: FunctionRecord, description: str | None) -> dict[str, Any]:
        """Publish $LATEST as a version (or return the last one if nothing changed)."""
        raise NotImplementedError

    async def delete_version(self, target: Target) -> None:
        raise NotImplementedError

    async def check_layers(self, ctx: CallContext, layer_arns: list[str] | None) -> None:
        """Refuse a Layers list Lambda would refuse (count, unknown versions)."""
        raise NotImplementedError

    async def apply_layers(self, ctx: CallContext, config: dict[str, Any], layer_arns: list[str] | None,
                           code_unzipped: int) -> list[str]:
        """Set config["Layers"] from ARNs, checking the unzipped size of code plus layers;
        returns the layers' content digests, in order (kept in the function's code record)."""
        raise NotImplementedError

    async def check_total_size(self, ctx: CallContext, layers: list[dict[str, Any]] | None,
                               code_unzipped: int) -> None:
        raise NotImplementedError

    async def forget_code_if_unused(self, digest: str) -> None:
        """Remove a package nothing refers to any more (functions, versions, layer versions)."""
        if digest.startswith(hot_reload.PREFIX) or not self.code.blobs.exists(digest):
            return  # a hot-reload folder is the user's own: never touched
        for other in await self.functions.all():
            codes = [other.code] + [v["code"] for v in await self.versions.list(other)]
            if any(digest == c.get("digest") or digest in c.get("layers", ()) for c in codes):
                return
        if digest in await LayerTable(self.store).every_digest():
            return
        self.code.remove(digest)

    def _code_roots(self, record: FunctionRecord) -> list[tuple[str, Path]]:
        """Where $LATEST's code and layers are on disk, and what each is."""
        config, code = record.config, record.code
        roots = [("deployment package", Path(code["path"]) if code.get("path")
                  else self.code.ensure_extracted(code["digest"]))]
        roots += [(f"layer {layer['Arn']}", self._layer_dir(reference))
                  for layer, reference in zip(config.get("Layers") or (), code.get("layers", ()))]
        return roots

    def prepare_known_runtimes(self, records: list[FunctionRecord]) -> None:
        """At start, given every function: the runtimes they use are started in the background, both zygotes
        for Python (reading every function's code to choose would mean extracting it all first)."""
        runtimes = {record.config.get("Runtime") for record in records}
        for runtime in sorted(r for r in runtimes if r and self.engine.runtime_available(r)):
            self._in_background(self.engine.prepare_runtime(runtime))

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._preparing.add(task)
        task.add_done_callback(self._prepared)

    async def code_changed(self, record: FunctionRecord) -> None:
        """After a create, or an update of the code, runtime or layers: say which native files cannot load
        here, and have the engine start the function's runtime (its zygote) in the background, so that the
        first invocation finds it started instead of starting it (most of a second for the first Python
        function of a new node: the runtime's tree and its zygote)."""
        roots = self._code_roots(record)
        await self._report_foreign_binaries(record, roots)
        runtime = record.config.get("Runtime")
        if runtime:
            self._in_background(self.engine.prepare_runtime(runtime, [root for _, root in roots]))

    async def stop_preparing(self) -> None:
        """At shutdown: starts of runtimes ahead of need are abandoned (the engine stops next, and its zygotes)."""
        for task in list(self._preparing):
            task.cancel()
        await asyncio.gather(*self._preparing, return_exceptions=True)

    def _prepared(self, task: asyncio.Task[None]) -> None:
        self._preparing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # The first invocation starts it again, and says what fails.
            log.warning("could not start a runtime ahead of need: %s", task.exception())

    async def _report_foreign_binaries(self, record: FunctionRecord, roots: list[tuple[str, Path]]) -> None:
        """Say in the function's log group which native files of its code and layers cannot load here."""
        config = record.config
        runtime = config.get("Runtime") or ""
        architecture = (config.get("Architectures") or ["x86_64"])[0]
        lines: list[str] = []
        for where, root in roots:
            findings = await asyncio.to_thread(native_code.foreign_binaries, root, runtime, architecture)
            if findings:
                lines += native_code.describe(findings, where)
        if lines:
            group = (config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{record.name}"
            now = int(time.time() * 1000)
            self.platform.logs.write(record.account, record.region, group, native_code.LOG_STREAM,
                                     [(now, line) for line in lines])
            for line in lines:
                log.warning("%s: %s", record.name, line)

    def watch_folder(self, folder: str) -> None:
        """Start watching a hot-reload folder (implemented by the provider, which owns the watcher)."""
        raise NotImplementedError

    async def forget_function_records(self, table: str, record: FunctionRecord) -> None:
        """Delete a table's records kept per function (keyed under the function's key)."""
        prefix = function_key(record.account, record.region, record.name) + "/"
        for stored in await self.store.scan(table, prefix):
            await self.store.delete(table, stored.key)

    async def may_invoke(self, function_arn: str, *, service: str, source_arn: str | None = None,
                         source_account: str | None = None) -> bool:
        """Whether the function's policy lets ``service`` invoke it (implemented by the permissions group)."""
        raise NotImplementedError

    async def on_function_deleted(self, record: FunctionRecord) -> None:
        """Called when a function is deleted; groups with per-function state clean up and call super()."""

    @staticmethod
    def check_revision(current: str | None, expected: str | None) -> None:
        if expected is not None and expected != current:
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. "
                "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")

    def check_runtime(self, runtime: str | None, handler: str | None, package_type: str) -> None:
        if package_type == "Image":
            raise InvalidParameterValueException(
                "lamina does not run container images (PackageType Image); use a .zip deployment package.")
        if not runtime or not handler:
            raise InvalidParameterValueException(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages.")
        if not self.engine.runtime_available(runtime):
            raise InvalidParameterValueException(
                f"The runtime parameter of {runtime} is not available on this lamina node: "
                "no interpreter for it was found.")

    def check_network(self, params: dict[str, Any]) -> None:
        configuration.check_network(params, self.engine.own_network_available())

    async def code_from(self, code: dict[str, Any]) -> CodeArtifact:
        """A deployment package from CreateFunction's Code or UpdateFunctionCode's members."""
        settings = self.platform.settings
        if hot_reload.is_hot_reload(code, settings):
            folder = hot_reload.checked_folder(code.get("S3Key"), settings)
            digest, size = await asyncio.to_thread(hot_reload.folder_digest, folder)
            self.watch_folder(str(folder))
            return CodeArtifact(digest, size, size, path=str(folder))
        if code.get("ImageUri"):
            raise InvalidParameterValueException("lamina does not run container images (ImageUri).")
        if code.get("S3Bucket") or code.get("S3Key"):
            raise InvalidParameterValueException(
                "lamina does not serve S3 yet, so Code.S3Bucket/S3Key cannot be read; send Code.ZipFile.")
        data = code.get("ZipFile")
        if not data:
            raise InvalidParameterValueException("Please specify the code: ZipFile is missing.")
        return await self.code.add_zip(data)
