"""Layer operations, and how functions use layers: at most 5, extracted in order under /opt, with code
and layers together under 250 MB unzipped (https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from lamina.services.context import CallContext
from lamina.services.lambda_ import configuration
from lamina.services.lambda_.errors import (
    InvalidParameterValueException,
    PolicyLengthExceededException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lamina.services.lambda_.hot_reload import code_reference
from lamina.services.lambda_.layers import LayerTable, layer_arn, layer_name_of, parse_layer_arn
from lamina.services.lambda_.listing import page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.zip_package import MAX_UNZIPPED_BYTES
from lamina.services.provider import Params, Result
from lamina.store import PreconditionFailed

MAX_LAYERS = 5
_PUBLIC = ("LayerVersionArn", "Version", "Description", "CreatedDate", "CompatibleRuntimes", "LicenseInfo",
           "CompatibleArchitectures")


def _listing_item(document: dict[str, Any]) -> dict[str, Any]:
    return {k: document[k] for k in _PUBLIC if document.get(k) is not None}


class LayerOperations(LambdaBase):
    @property
    def layers(self) -> LayerTable:
        return LayerTable(self.store)

    async def publish_layer_version(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        if (region, account) != (ctx.region, ctx.account_id):
            raise InvalidParameterValueException("Layers can only be published in the caller's account and region.")
        artifact = await self.code_from(params["Content"])
        created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"

        def build(number: int) -> dict[str, Any]:
            document: dict[str, Any] = {
                "LayerArn": layer_arn(region, account, name),
                "LayerVersionArn": layer_arn(region, account, name, number),
                "Description": params.get("Description", ""), "CreatedDate": created, "Version": number,
                "CompatibleRuntimes": params.get("CompatibleRuntimes") or [],
                "CompatibleArchitectures": params.get("CompatibleArchitectures") or [],
                "_code": {**artifact.to_record(), "sha256": artifact.sha256_b64},
                "_policy": {"statements": [], "revision": configuration.new_revision_id()},
            }
            if params.get("LicenseInfo"):
                document["LicenseInfo"] = params["LicenseInfo"]
            return document

        document = await self.layers.add_version(region, account, name, build)
        return self._layer_version(ctx, document)

    def _layer_version(self, ctx: CallContext, document: dict[str, Any]) -> dict[str, Any]:
        code = document["_code"]
        result = {"LayerArn": document["LayerArn"], **_listing_item(document),
                  "Content": {"Location": self.downloads.url(ctx.base_url, "lambda-code", code["digest"]),
                              "CodeSha256": code["sha256"], "CodeSize": code["size"]}}
        return result

    async def _find(self, region: str, account: str, name: str, version: int) -> tuple[dict[str, Any], int]:
        found = await self.layers.get_version(region, account, name, version)
        if found is None:
            raise ResourceNotFoundException("The resource you requested does not exist.")
        return found

    async def get_layer_version(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        document, _ = await self._find(region, account, name, params["VersionNumber"])
        return self._layer_version(ctx, document)

    async def get_layer_version_by_arn(self, ctx: CallContext, params: Params) -> Result:
        region, account, name, version = parse_layer_arn(params["Arn"])
        if version is None:
            raise InvalidParameterValueException(f"The layer version ARN must end with a version: {params['Arn']}")
        document, _ = await self._find(region, account, name, version)
        return self._layer_version(ctx, document)

    @staticmethod
    def _matches(document: dict[str, Any], params: Params) -> bool:
        runtime, arch = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
        return ((not runtime or runtime in document.get("CompatibleRuntimes", []))
                and (not arch or arch in document.get("CompatibleArchitectures", [])))

    async def list_layers(self, ctx: CallContext, params: Params) -> Result:
        latest: dict[str, dict[str, Any]] = {}
        for document in await self.layers.all_versions(ctx.region, ctx.account_id):
            if self._matches(document, params):
                latest[document["LayerArn"]] = document  # versions come in number order: the last wins
        items = [{"LayerName": doc["LayerArn"].rsplit(":", 1)[1], "LayerArn": arn,
                  "LatestMatchingVersion": _listing_item(doc)} for arn, doc in latest.items()]
        return page_result(items, params, "Layers", key=lambda i: i["LayerName"])

    async def list_layer_versions(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        documents = [d for d in await self.layers.versions(region, account, name) if self._matches(d, params)]
        items = [_listing_item(d) for d in reversed(documents)]  # newest first, as Lambda lists them
        return page_result(items, params, "LayerVersions", key=lambda i: f"{10**10 - i['Version']:010d}")

    async def delete_layer_version(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        found = await self.layers.get_version(region, account, name, params["VersionNumber"])
        if found is not None:
            await self.layers.delete_version(region, account, name, params["VersionNumber"])
            # Functions that use it keep their copy (as in Lambda); the content goes when nothing uses it.
            await self.forget_code_if_unused(found[0]["_code"]["digest"])
        return None

    # -- permissions -----------------------------------------------------------------
    async def add_layer_version_permission(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        document, version = await self._find(region, account, name, params["VersionNumber"])
        policy = document["_policy"]
        self.check_revision(policy["revision"], params.get("RevisionId"))
        if any(s["Sid"] == params["StatementId"] for s in policy["statements"]):
            raise ResourceConflictException(
                f"The statement id ({params['StatementId']}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement.")
        principal = params["Principal"]
        statement: dict[str, Any] = {
            "Sid": params["StatementId"], "Effect": "Allow",
            "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
            "Action": params["Action"], "Resource": document["LayerVersionArn"]}
        if params.get("OrganizationId"):
            statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": params["OrganizationId"]}}
        policy["statements"].append(statement)
        if len(json.dumps(self._policy_document(policy))) > 20480:
            raise PolicyLengthExceededException("The final policy size is bigger than the limit.")
        policy["revision"] = configuration.new_revision_id()
        await self._save(document, version)
        return {"Statement": json.dumps(statement), "RevisionId": policy["revision"]}

    async def remove_layer_version_permission(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        document, version = await self._find(region, account, name, params["VersionNumber"])
        policy = document["_policy"]
        self.check_revision(policy["revision"], params.get("RevisionId"))
        remaining = [s for s in policy["statements"] if s["Sid"] != params["StatementId"]]
        if len(remaining) == len(policy["statements"]):
            raise ResourceNotFoundException(f"Statement {params['StatementId']} is not found in resource policy.")
        policy["statements"] = remaining
        policy["revision"] = configuration.new_revision_id()
        await self._save(document, version)
        return None

    async def get_layer_version_policy(self, ctx: CallContext, params: Params) -> Result:
        region, account, name = layer_name_of(params["LayerName"], ctx.region, ctx.account_id)
        document, _ = await self._find(region, account, name, params["VersionNumber"])
        policy = document["_policy"]
        if not policy["statements"]:
            raise ResourceNotFoundException("No policy is associated with the given resource.")
        return {"Policy": json.dumps(self._policy_document(policy)), "RevisionId": policy["revision"]}

    @staticmethod
    def _policy_document(policy: dict[str, Any]) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Id": "default", "Statement": policy["statements"]}

    async def _save(self, document: dict[str, Any], version: int) -> None:
        try:
            await self.layers.put_version(document, version)
        except PreconditionFailed:
            raise ResourceConflictException("The layer version policy changed concurrently; try again.") from None

    # -- functions that use layers -----------------------------------------------------
    async def _layer_documents(self, ctx: CallContext, arns: list[str]) -> list[dict[str, Any]]:
        if len(arns) > MAX_LAYERS:
            raise InvalidParameterValueException(
                f"Cannot reference more than {MAX_LAYERS} layers.")
        documents = []
        for arn in arns:
            region, account, name, version = parse_layer_arn(arn)
            found = None if version is None else await self.layers.get_version(region, account, name, version)
            if found is None:
                raise InvalidParameterValueException(f"Layer version {arn} does not exist.")
            documents.append(found[0])
        return documents

    async def check_layers(self, ctx: CallContext, layer_arns: list[str] | None) -> None:
        await self._layer_documents(ctx, layer_arns or [])

    async def apply_layers(self, ctx: CallContext, config: dict[str, Any], layer_arns: list[str] | None,
                           code_unzipped: int) -> list[str]:
        documents = await self._layer_documents(ctx, layer_arns or [])
        total = code_unzipped + sum(d["_code"]["unzipped"] for d in documents)
        if total > MAX_UNZIPPED_BYTES:
            raise InvalidParameterValueException(
                f"Function code combined with layers exceeds the maximum allowed size of {MAX_UNZIPPED_BYTES} "
                f"bytes. The actual size is {total} bytes.")
        if documents:
            config["Layers"] = [{"Arn": d["LayerVersionArn"], "CodeSize": d["_code"]["size"]} for d in documents]
        else:
            config.pop("Layers", None)
        return [code_reference(d["_code"]) for d in documents]

    async def check_total_size(self, ctx: CallContext, layers: list[dict[str, Any]] | None,
                               code_unzipped: int) -> None:
        await self.apply_layers(ctx, {}, [layer["Arn"] for layer in layers or ()], code_unzipped)
