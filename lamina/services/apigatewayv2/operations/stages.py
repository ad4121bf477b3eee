"""Create/Get/Update/DeleteStage(s) and Create/Get/DeleteDeployment(s)
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html)."""

from __future__ import annotations

import time
from typing import Any

from lamina.services.apigatewayv2.errors import BadRequestException, ConflictException
from lamina.services.apigatewayv2.models import deploy, not_found
from lamina.services.apigatewayv2.operations.base import HttpApiBase, page, public
from lamina.services.context import CallContext
from lamina.services.provider import Params, Result

_STAGE_MEMBERS = ("AccessLogSettings", "AutoDeploy", "ClientCertificateId", "DefaultRouteSettings",
                  "DeploymentId", "Description", "RouteSettings", "StageVariables")


def _stage_view(stage: dict[str, Any]) -> dict[str, Any]:
    return public(stage)


def _check_stage(document: dict[str, Any], stage: dict[str, Any]) -> None:
    deployment = stage.get("DeploymentId")
    if deployment and deployment not in document["deployments"]:
        raise BadRequestException(f"Deployment {deployment} does not exist")
    log = stage.get("AccessLogSettings") or {}
    if log.get("DestinationArn") and ":log-group:" not in log["DestinationArn"]:
        raise BadRequestException("AccessLogSettings.DestinationArn must be a CloudWatch Logs log group ARN")


class StageOperations(HttpApiBase):
    async def create_stage(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            name = params["StageName"]
            if name in document["stages"]:
                raise ConflictException(f"Stage already exists: {name}")
            now = time.time()
            stage = {"StageName": name, "CreatedDate": now, "LastUpdatedDate": now, "AutoDeploy": False,
                     "DefaultRouteSettings": {"DetailedMetricsEnabled": False}, "RouteSettings": {},
                     "StageVariables": {}, "Tags": params.get("Tags") or {}}
            stage.update({k: params[k] for k in _STAGE_MEMBERS if k in params})
            _check_stage(document, stage)
            document["stages"][name] = stage
            return stage

        stage = await self.change(ctx, params, edit)
        return _stage_view(stage)

    async def get_stage(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        stage = document["stages"].get(params["StageName"])
        if stage is None:
            raise not_found("Stage", params["StageName"])
        return _stage_view(stage)

    async def get_stages(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        stages = sorted(document["stages"].values(), key=lambda s: s["StageName"])
        return page([_stage_view(s) for s in stages], params)

    async def update_stage(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            stage = document["stages"].get(params["StageName"])
            if stage is None:
                raise not_found("Stage", params["StageName"])
            stage.update({k: params[k] for k in _STAGE_MEMBERS if k in params})
            stage["LastUpdatedDate"] = time.time()
            _check_stage(document, stage)
            return stage

        return _stage_view(await self.change(ctx, params, edit))

    async def delete_stage(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            if document["stages"].pop(params["StageName"], None) is None:
                raise not_found("Stage", params["StageName"])

        await self.change(ctx, params, edit)
        return None

    # deployments
    async def create_deployment(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            stage = document["stages"].get(params["StageName"]) if params.get("StageName") else None
            if params.get("StageName") and stage is None:
                raise not_found("Stage", params["StageName"])
            if stage is not None and stage.get("AutoDeploy"):
                raise BadRequestException("Stage is configured with AutoDeploy; deployments are automatic.")
            deployment = deploy(document, params.get("Description"))
            if stage is not None:
                stage["DeploymentId"] = deployment["DeploymentId"]
                stage["LastUpdatedDate"] = time.time()
            return public(deployment)

        return await self.change(ctx, params, edit, redeploy=False)

    async def get_deployment(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        deployment = document["deployments"].get(params["DeploymentId"])
        if deployment is None:
            raise not_found("Deployment", params["DeploymentId"])
        return public(deployment)

    async def get_deployments(self, ctx: CallContext, params: Params) -> Result:
        document = await self.document(ctx, params)
        items = sorted(document["deployments"].values(), key=lambda d: d["CreatedDate"])
        return page([public(d) for d in items], params)

    async def delete_deployment(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            ident = params["DeploymentId"]
            if ident not in document["deployments"]:
                raise not_found("Deployment", ident)
            if any(s.get("DeploymentId") == ident for s in document["stages"].values()):
                raise BadRequestException(f"Deployment {ident} is used by a stage")
            del document["deployments"][ident]

        await self.change(ctx, params, edit, redeploy=False)
        return None
