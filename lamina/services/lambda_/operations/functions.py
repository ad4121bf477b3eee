"""CreateFunction, GetFunction(Configuration), ListFunctions, UpdateFunctionCode/Configuration, DeleteFunction."""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration, tags
from lamina.services.lambda_.arns import function_arn, parse_function_arn
from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceConflictException
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.hot_reload import encode_folder
from lamina.services.lambda_.lifecycle import mark_pending, mark_updating
from lamina.services.lambda_.listing import by_function_then_version, page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.provider import Params, Result


class FunctionOperations(LambdaBase):
    async def create_function(self, ctx: CallContext, params: Params) -> Result:
        name = params["FunctionName"]
        if ":" in name:
            # CreateFunction takes a plain name or an unqualified ARN.
            region, account, name, qualifier = parse_function_arn(name)
            if qualifier or region != ctx.region or account != ctx.account_id:
                raise InvalidParameterValueException("The function name must not carry a qualifier.")
        configuration.check_limits(params)
        self.check_network(params)
        self.check_runtime(params.get("Runtime"), params.get("Handler"), params.get("PackageType", "Zip"))
        await self.check_layers(ctx, params.get("Layers"))
        if await self.functions.find(ctx.account_id, ctx.region, name) is not None:
            raise ResourceConflictException(f"Function already exist: {name}")
        arn = function_arn(ctx.region, ctx.account_id, name)
        await self.roles.check(ctx, params["Role"], arn)
        artifact = await self.code_from(params["Code"])
        config = configuration.initial_configuration({**params, "FunctionName": name}, arn, f"/aws/lambda/{name}")
        config.update(CodeSize=artifact.size, CodeSha256=artifact.sha256_b64,
                      LastModified=configuration.last_modified_now(), RevisionId=configuration.new_revision_id())
        layer_digests = await self.apply_layers(ctx, config, params.get("Layers"), artifact.unzipped_size)
        mark_pending(config)
        record = FunctionRecord(ctx.account_id, ctx.region, name, config,
                                {**artifact.to_record(), "layers": layer_digests},
                                tags=tags.checked(params.get("Tags") or {}))
        await self.functions.insert(record)
        await self.code_changed(record)
        self.lifecycle.claim(record)
        self.lifecycle.settle_later(record)
        if params.get("Publish"):
            await self.lifecycle.wait_ready(record)
            record = await self.functions.get(record.account, record.region, record.name)
            published = await self.publish(record, None)
            return {**config, "Version": published["Version"], "FunctionArn": published["FunctionArn"]}
        return dict(config)

    async def get_function(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))
        if target.code.get("path"):
            location = self.downloads.url(ctx.base_url, "lambda-folder", encode_folder(target.code["path"]))
        else:
            location = self.downloads.url(ctx.base_url, "lambda-code", target.code["digest"])
        result: dict[str, Any] = {"Configuration": target.config,
                                  "Code": {"RepositoryType": "S3", "Location": location}}
        if target.record.tags:
            result["Tags"] = target.record.tags
        if target.record.reserved_concurrency is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": target.record.reserved_concurrency}
        return result

    async def get_function_configuration(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))
        return target.config

    async def list_functions(self, ctx: CallContext, params: Params) -> Result:
        if params.get("MasterRegion"):
            # Only Lambda@Edge replicas are listed for a MasterRegion; lamina replicates nothing.
            return {"Functions": []}
        configs = []
        for record in await self.functions.list(ctx.account_id, ctx.region):
            configs.append(record.config)
            if params.get("FunctionVersion") == "ALL":
                configs.extend(v["config"] for v in await self.versions.list(record))
        return page_result(configs, params, "Functions", key=by_function_then_version)

    async def update_function_code(self, ctx: CallContext, params: Params) -> Result:
        record = (await self.resolve(ctx, params["FunctionName"])).record
        self.lifecycle.refuse_if_busy(record)
        self.check_revision(record.config.get("RevisionId"), params.get("RevisionId"))
        code = {k: params[k] for k in ("ZipFile", "S3Bucket", "S3Key", "ImageUri") if params.get(k)}
        self.lifecycle.claim(record)
        try:
            artifact = await self.code_from(code)
            if params.get("DryRun"):
                self.lifecycle.release(record)
                return {**record.config, "CodeSha256": artifact.sha256_b64, "CodeSize": artifact.size}
            await self.check_total_size(ctx, record.config.get("Layers"), artifact.unzipped_size)
            if params.get("Architectures"):
                record.config["Architectures"] = params["Architectures"]
            record.code = {**artifact.to_record(), "layers": record.code.get("layers", [])}
            record.config.update(CodeSize=artifact.size, CodeSha256=artifact.sha256_b64,
                                 LastModified=configuration.last_modified_now(),
                                 RevisionId=configuration.new_revision_id())
            mark_updating(record.config)
            await self.functions.save(record)
        except BaseException:
            self.lifecycle.release(record)
            raise
        await self.code_changed(record)
        self._settle_and_retire(record)
        if params.get("Publish"):
            await self.lifecycle.wait_ready(record)
            record = await self.functions.get(record.account, record.region, record.name)
            return await self.publish(record, None)
        return dict(record.config)

    async def update_function_configuration(self, ctx: CallContext, params: Params) -> Result:
        record = (await self.resolve(ctx, params["FunctionName"])).record
        # Reserved before the checks that wait (the role, the layers): an update that arrives meanwhile is
        # refused as in progress, and this one cannot be overtaken between its RevisionId check and its write.
        self.lifecycle.claim(record)
        try:
            updated = await self._updated_configuration(ctx, record, params)
            record.config = updated
            await self.functions.save(record)
        except BaseException:
            self.lifecycle.release(record)
            raise
        if {"Runtime", "Architectures", "Layers"} & params.keys():
            await self.code_changed(record)
        self._settle_and_retire(record)
        return dict(updated)

    async def _updated_configuration(self, ctx: CallContext, record: FunctionRecord, params: Params) -> dict:
        self.check_revision(record.config.get("RevisionId"), params.get("RevisionId"))
        configuration.check_limits(params)
        self.check_network(params)
        if params.get("Role") and params["Role"] != record.config.get("Role"):
            await self.roles.check(ctx, params["Role"], record.arn)
        updated = configuration.apply_update(record.config, params)
        if "Runtime" in params or "Handler" in params:
            self.check_runtime(updated.get("Runtime"), updated.get("Handler"), updated.get("PackageType", "Zip"))
        if "Layers" in params:
            record.code["layers"] = await self.apply_layers(ctx, updated, params["Layers"],
                                                            record.code.get("unzipped", 0))
        updated.update(LastModified=configuration.last_modified_now(), RevisionId=configuration.new_revision_id())
        mark_updating(updated)
        return updated

    def _settle_and_retire(self, record: FunctionRecord) -> None:
        async def retire() -> None:
            self.engine.retire(record.arn)

        self.lifecycle.settle_later(record, retire)

    async def delete_function(self, ctx: CallContext, params: Params) -> Result:
        target = await self.resolve(ctx, params["FunctionName"], params.get("Qualifier"))
        record = target.record
        if target.qualifier is not None:
            await self.delete_version(target)
            return {"StatusCode": 204}
        self.lifecycle.refuse_if_busy(record)
        digests = {record.code["digest"]} | {v["code"]["digest"] for v in await self.versions.list(record)}
        digests |= set(record.code.get("layers", ()))
        await self.aliases.delete_all(record)
        await self.versions.delete_all(record)
        await self.functions.remove(record)
        await self.on_function_deleted(record)
        self.roles.forget(record.arn)
        self.engine.retire(record.arn)
        for digest in digests:
            await self.forget_code_if_unused(digest)
        return {"StatusCode": 204}
