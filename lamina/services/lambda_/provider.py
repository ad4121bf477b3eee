"""The Lambda API: the operation groups composed into one provider.

Each group lives in ``operations/`` and keeps to one resource; the rules
live in the domain modules next to this file.
"""

from __future__ import annotations

from lamina.services.lambda_.code_store import CodeStore
from lamina.services.lambda_.operations.aliases import AliasOperations
from lamina.services.lambda_.operations.concurrency import ConcurrencyOperations
from lamina.services.lambda_.operations.event_invoke_config import EventInvokeConfigOperations
from lamina.services.lambda_.operations.event_source_mappings import EventSourceMappingOperations
from lamina.services.lambda_.operations.function_urls import FunctionUrlOperations
from lamina.services.lambda_.operations.functions import FunctionOperations
from lamina.services.lambda_.operations.hot_reload import HotReloadOperations
from lamina.services.lambda_.operations.invoke import InvokeOperations
from lamina.services.lambda_.operations.layers import LayerOperations
from lamina.services.lambda_.operations.permissions import PermissionOperations
from lamina.services.lambda_.operations.tagging import TagOperations
from lamina.services.lambda_.operations.versions import VersionOperations
from lamina.services.platform import Platform
from lamina.triggers.async_invoker import AsyncInvoker, AsyncSettings, Callbacks


class LambdaProvider(
    PermissionOperations,  # first: it extends deletion of versions and aliases with their policies
    FunctionOperations,
    VersionOperations,
    AliasOperations,
    LayerOperations,
    InvokeOperations,
    EventInvokeConfigOperations,
    ConcurrencyOperations,
    TagOperations,
    HotReloadOperations,
    FunctionUrlOperations,
    EventSourceMappingOperations,
):
    _configuration = {
        "KMSKeyArn": "environment variables are not encrypted with a customer key",
        "VpcConfig": "functions are not attached to a VPC; the setting is stored and reported",
        "TracingConfig": "X-Ray tracing is not recorded; the mode is stored and reported",
        "SnapStart": "no snapshots are taken; the setting is stored and reported",
    }
    ignored_members = {
        "CreateFunction": _configuration,
        "UpdateFunctionConfiguration": _configuration,
        "UpdateFunctionCode": {"SourceKMSKeyArn": "deployment packages are not encrypted with a customer key"},
        "CreateEventSourceMapping": {
            "Tags": "event-source mappings are not tagged",
            "KMSKeyArn": "filter criteria are not encrypted with a customer key",
            "MetricsConfig": "event-source mapping metrics are not published",
            "LoggingConfig": "event-source mapping system logs are not written",
        },
        "UpdateEventSourceMapping": {
            "KMSKeyArn": "filter criteria are not encrypted with a customer key",
            "MetricsConfig": "event-source mapping metrics are not published",
            "LoggingConfig": "event-source mapping system logs are not written",
        },
    }
    _newer = "a Lambda feature lamina does not provide"
    unsupported_members = {
        "CreateFunction": {
            "FileSystemConfigs": "EFS file systems are not mounted",
            "ImageConfig": "container images are not run",
            "CodeSigningConfigArn": "code signing is not implemented",
            "CapacityProviderConfig": "capacity providers are " + _newer,
            "PublishTo": "publishing to $LATEST.PUBLISHED is " + _newer,
            "DurableConfig": "durable functions are " + _newer,
            "TenancyConfig": "tenant isolation is " + _newer,
        },
        "UpdateFunctionConfiguration": {
            "FileSystemConfigs": "EFS file systems are not mounted",
            "ImageConfig": "container images are not run",
            "CapacityProviderConfig": "capacity providers are " + _newer,
            "DurableConfig": "durable functions are " + _newer,
        },
        "UpdateFunctionCode": {
            "S3ObjectVersion": "lamina does not serve S3 object versions",
            "PublishTo": "publishing to $LATEST.PUBLISHED is " + _newer,
        },
        "PublishVersion": {"PublishTo": "publishing to $LATEST.PUBLISHED is " + _newer},
        "Invoke": {
            "DurableExecutionName": "durable functions are " + _newer,
            "TenantId": "tenant isolation is " + _newer,
        },
    }

    def __init__(self, platform: Platform, code: CodeStore, async_settings: AsyncSettings) -> None:
        super().__init__(platform, code)
        self.async_invoker = AsyncInvoker(
            self.store, Callbacks(run=self.run_event, policy=self.event_policy, finished=self.event_finished),
            async_settings)
        self.downloads.register("lambda-code", self._zip_for_download)
        self.downloads.register("lambda-folder", self.folder_for_download)

    def _zip_for_download(self, digest: str):  # type: ignore[no-untyped-def]
        return self.code.zip_path(digest) if len(digest) == 64 and digest.isalnum() else None

    async def start(self) -> None:
        functions = await self.functions.all()
        await self.lifecycle.recover(functions)
        await self.restore_concurrency()
        await self.function_urls.load()
        await self.async_invoker.start()
        await self.watch_known_folders()
        await self.start_event_source_mappings()
        self.prepare_known_runtimes(functions)

    async def stop(self) -> None:
        await self.stop_event_source_mappings()
        await self.stop_watching()
        await self.async_invoker.stop()
        await self.lifecycle.drain()
        await self.stop_preparing()
