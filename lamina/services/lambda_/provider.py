"""The Lambda API: one method per operation, thin; the rules live in the domain modules."""

from __future__ import annotations

from typing import Any

from lamina.engine.api import EngineInterface, Invocation
from lamina.gateway.downloads import SignedDownloads
from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration, invoke, tags
from lamina.services.lambda_.arns import function_arn, parse_function_arn, parse_function_ref
from lamina.services.lambda_.code_store import CodeArtifact, CodeStore
from lamina.services.lambda_.errors import (
    InvalidParameterValueException, PreconditionFailedException, ResourceConflictException,
    ResourceNotFoundException)
from lamina.services.lambda_.functions import FunctionRecord, FunctionTable
from lamina.services.lambda_.lifecycle import Lifecycle, mark_pending, mark_updating
from lamina.services.lambda_.listing import paginate
from lamina.services.provider import Params, Provider, Result
from lamina.store import Store

# Lambda's documented quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
TOTAL_CODE_SIZE = 80_530_636_800
CODE_SIZE_ZIPPED = 52_428_800
CODE_SIZE_UNZIPPED = 262_144_000


class LambdaProvider(Provider):
    service_name = "lambda"

    def __init__(self, store: Store, engine: EngineInterface, code: CodeStore,
                 downloads: SignedDownloads, account_concurrency: int) -> None:
        self.store = store
        self.engine = engine
        self.code = code
        self.downloads = downloads
        self.account_concurrency = account_concurrency
        self.functions = FunctionTable(store)
        self.lifecycle = Lifecycle(self.functions)
        downloads.register("lambda-code", self._zip_for_download)

    async def start(self) -> None:
        await self.lifecycle.recover()

    async def stop(self) -> None:
        await self.lifecycle.drain()

    def _zip_for_download(self, digest: str):  # type: ignore[no-untyped-def]
        return self.code.zip_path(digest) if len(digest) == 64 else None

    async def _record(self, ctx: CallContext, name: str, qualifier: str | None = None) -> FunctionRecord:
        ref = parse_function_ref(name, ctx.region, ctx.account_id, qualifier)
        record = await self.functions.get(ctx.account_id, ctx.region, ref.name)
        if ref.qualifier not in (None, "$LATEST"):
            raise ResourceNotFoundException(
                f"Function not found: {function_arn(ctx.region, ctx.account_id, ref.name, ref.qualifier)}")
        return record

    def _check_runtime(self, runtime: str | None, handler: str | None, package_type: str) -> None:
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

    async def _code_from(self, code: dict[str, Any]) -> CodeArtifact:
        if code.get("ImageUri"):
            raise InvalidParameterValueException("lamina does not run container images (ImageUri).")
        if code.get("S3Bucket") or code.get("S3Key"):
            raise InvalidParameterValueException(
                "lamina does not serve S3 yet, so Code.S3Bucket/S3Key cannot be read; send Code.ZipFile.")
        data = code.get("ZipFile")
        if not data:
            raise InvalidParameterValueException("Please specify the code: ZipFile is missing.")
        return await self.code.add_zip(data)

    # -- functions -----------------------------------------------------------------
    async def create_function(self, ctx: CallContext, params: Params) -> Result:
        name = params["FunctionName"]
        if ":" in name:
            # CreateFunction takes a plain name or an unqualified ARN.
            region, account, name, qualifier = parse_function_arn(name)
            if qualifier or region != ctx.region or account != ctx.account_id:
                raise InvalidParameterValueException("The function name must not carry a qualifier.")
        configuration.check_limits(params)
        package_type = params.get("PackageType", "Zip")
        self._check_runtime(params.get("Runtime"), params.get("Handler"), package_type)
        if await self.functions.find(ctx.account_id, ctx.region, name) is not None:
            raise ResourceConflictException(f"Function already exist: {name}")
        artifact = await self._code_from(params["Code"])
        arn = function_arn(ctx.region, ctx.account_id, name)
        config = configuration.initial_configuration({**params, "FunctionName": name}, arn,
                                                     f"/aws/lambda/{name}")
        config.update(CodeSize=artifact.size, CodeSha256=artifact.sha256_b64,
                      LastModified=configuration.last_modified_now(),
                      RevisionId=configuration.new_revision_id())
        mark_pending(config)
        record = FunctionRecord(ctx.account_id, ctx.region, name, config,
                                {"digest": artifact.digest, "size": artifact.size,
                                 "unzipped": artifact.unzipped_size},
                                tags=tags.checked(params.get("Tags") or {}))
        await self.functions.insert(record)
        self.lifecycle.claim(record)
        self.lifecycle.settle_later(record)
        return dict(config)

    async def get_function(self, ctx: CallContext, params: Params) -> Result:
        record = await self._record(ctx, params["FunctionName"], params.get("Qualifier"))
        result: dict[str, Any] = {
            "Configuration": record.config,
            "Code": {"RepositoryType": "S3",
                     "Location": self.downloads.url(ctx.base_url, "lambda-code", record.code["digest"])},
        }
        if record.tags:
            result["Tags"] = record.tags
        if record.reserved_concurrency is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": record.reserved_concurrency}
        return result

    async def get_function_configuration(self, ctx: CallContext, params: Params) -> Result:
        record = await self._record(ctx, params["FunctionName"], params.get("Qualifier"))
        return record.config

    async def list_functions(self, ctx: CallContext, params: Params) -> Result:
        records = await self.functions.list(ctx.account_id, ctx.region)
        configs = [r.config for r in records]
        page, marker = paginate(configs, params.get("Marker"), params.get("MaxItems"), key="FunctionName")
        result: dict[str, Any] = {"Functions": page}
        if marker:
            result["NextMarker"] = marker
        return result

    def _check_revision(self, record: FunctionRecord, revision_id: str | None) -> None:
        if revision_id is not None and revision_id != record.config.get("RevisionId"):
            raise PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. "
                "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")

    async def update_function_code(self, ctx: CallContext, params: Params) -> Result:
        record = await self._record(ctx, params["FunctionName"])
        self.lifecycle.refuse_if_busy(record)
        self._check_revision(record, params.get("RevisionId"))
        code = {k: params[k] for k in ("ZipFile", "S3Bucket", "S3Key", "ImageUri") if params.get(k)}
        if params.get("Architectures"):
            record.config["Architectures"] = params["Architectures"]
        self.lifecycle.claim(record)
        try:
            artifact = await self._code_from(code)
            if params.get("DryRun"):
                self.lifecycle.release(record)
                return {**record.config, "CodeSha256": artifact.sha256_b64, "CodeSize": artifact.size}
            record.code = {"digest": artifact.digest, "size": artifact.size, "unzipped": artifact.unzipped_size}
            record.config.update(CodeSize=artifact.size, CodeSha256=artifact.sha256_b64,
                                 LastModified=configuration.last_modified_now(),
                                 RevisionId=configuration.new_revision_id())
            mark_updating(record.config)
            await self.functions.save(record)
        except BaseException:
            self.lifecycle.release(record)
            raise
        self._settle_and_retire(record)
        return dict(record.config)

    async def update_function_configuration(self, ctx: CallContext, params: Params) -> Result:
        record = await self._record(ctx, params["FunctionName"])
        self.lifecycle.refuse_if_busy(record)
        self._check_revision(record, params.get("RevisionId"))
        configuration.check_limits(params)
        updated = configuration.apply_update(record.config, params)
        if "Runtime" in params or "Handler" in params:
            self._check_runtime(updated.get("Runtime"), updated.get("Handler"), updated.get("PackageType", "Zip"))
        updated.update(LastModified=configuration.last_modified_now(), RevisionId=configuration.new_revision_id())
        mark_updating(updated)
        record.config = updated
        self.lifecycle.claim(record)
        try:
            await self.functions.save(record)
        except BaseException:
            self.lifecycle.release(record)
            raise
        self._settle_and_retire(record)
        return dict(updated)

    def _settle_and_retire(self, record: FunctionRecord) -> None:
        async def retire() -> None:
            self.engine.retire(record.arn)

        self.lifecycle.settle_later(record, retire)

    async def delete_function(self, ctx: CallContext, params: Params) -> Result:
        record = await self._record(ctx, params["FunctionName"], params.get("Qualifier"))
        await self.functions.remove(record)
        self.engine.retire(record.arn)
        await self._forget_code_if_unused(record.code["digest"])
        return {"StatusCode": 204}

    async def _forget_code_if_unused(self, digest: str) -> None:
        for other in await self.functions.all():
            if other.code.get("digest") == digest:
                return
        self.code.remove(digest)

    async def get_account_settings(self, ctx: CallContext, params: Params) -> Result:
        records = await self.functions.list(ctx.account_id, ctx.region)
        reserved = sum(r.reserved_concurrency or 0 for r in records)
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE, "CodeSizeUnzipped": CODE_SIZE_UNZIPPED,
                "CodeSizeZipped": CODE_SIZE_ZIPPED, "ConcurrentExecutions": self.account_concurrency,
                "UnreservedConcurrentExecutions": self.account_concurrency - reserved,
            },
            "AccountUsage": {"TotalCodeSize": sum(r.code.get("size", 0) for r in records),
                             "FunctionCount": len(records)},
        }

    # -- tags ------------------------------------------------------------------------
    async def _tagged(self, ctx: CallContext, resource: str) -> FunctionRecord:
        region, account, name, qualifier = parse_function_arn(resource)
        if qualifier:
            raise InvalidParameterValueException("Tags are not supported on function versions or aliases.")
        if region != ctx.region or account != ctx.account_id:
            raise ResourceNotFoundException(f"Function not found: {resource}")
        return await self.functions.get(account, region, name)

    async def tag_resource(self, ctx: CallContext, params: Params) -> Result:
        record = await self._tagged(ctx, params["Resource"])
        record.tags = tags.checked({**record.tags, **params["Tags"]})
        await self.functions.save(record)
        return None

    async def untag_resource(self, ctx: CallContext, params: Params) -> Result:
        record = await self._tagged(ctx, params["Resource"])
        for key in params["TagKeys"]:
            record.tags.pop(key, None)
        await self.functions.save(record)
        return None

    async def list_tags(self, ctx: CallContext, params: Params) -> Result:
        record = await self._tagged(ctx, params["Resource"])
        return {"Tags": record.tags}

    # -- invocation ------------------------------------------------------------------
    async def invoke(self, ctx: CallContext, params: Params) -> Result:
        ref = parse_function_ref(params["FunctionName"], ctx.region, ctx.account_id, params.get("Qualifier"))
        record = await self._record(ctx, params["FunctionName"], params.get("Qualifier"))
        invocation_type = params.get("InvocationType", "RequestResponse")
        payload = invoke.check_payload(params.get("Payload") or b"")
        invoke.check_client_context(params.get("ClientContext"))
        if invocation_type == "DryRun":
            return {"StatusCode": 204}
        if invocation_type == "Event":
            raise InvalidParameterValueException(
                "lamina does not implement asynchronous invocation (InvocationType=Event) yet.")
        await self.lifecycle.wait_ready(record)
        if self.lifecycle.busy(record) or record.config.get("State") == "Pending":
            record = await self.functions.get(record.account, record.region, record.name)
        code_dir = self.code.ensure_extracted(record.code["digest"])
        spec = invoke.function_spec(record.config, code_dir, record.account, record.region, record.arn,
                                    record.reserved_concurrency)
        invocation = Invocation(
            request_id=ctx.request_id, payload=payload,
            invoked_function_arn=function_arn(ctx.region, ctx.account_id, record.name, ref.qualifier),
            client_context=params.get("ClientContext"), tail_log=params.get("LogType") == "Tail")
        return await invoke.run_sync(self.engine, spec, invocation)

