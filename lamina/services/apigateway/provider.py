"""API Gateway v1 (REST APIs), the parts SAM's ``Api`` event source uses: RestApi, Resource, Method,
Integration (AWS_PROXY to Lambda), Deployment, Stage
(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html)."""

from __future__ import annotations

import time
from typing import Any

from lamina.proxy.lambda_integration import function_arn_of
from lamina.services.apigateway.errors import BadRequestException, ConflictException, NotFoundException
from lamina.services.apigateway.invoke_url import RestApiHost
from lamina.services.apigateway.models import RestApiTable, deploy, new_document, resource_path
from lamina.services.apigatewayv2.models import new_id
from lamina.services.context import CallContext
from lamina.services.platform import Platform
from lamina.services.provider import Params, Provider, Result

_STORED = "stored and reported; lamina does not act on it"
_API_MEMBERS = ("name", "description", "version", "binaryMediaTypes", "minimumCompressionSize", "apiKeySource",
                "endpointConfiguration", "policy", "tags", "disableExecuteApiEndpoint", "securityPolicy",
                "endpointAccessMode")
_METHOD_MEMBERS = ("authorizationType", "authorizerId", "apiKeyRequired", "operationName", "requestParameters",
                   "requestModels", "requestValidatorId", "authorizationScopes")
_INTEGRATION_MEMBERS = ("type", "uri", "connectionType", "connectionId", "credentials", "requestParameters",
                        "requestTemplates", "passthroughBehavior", "cacheNamespace", "cacheKeyParameters",
                        "contentHandling", "timeoutInMillis", "tlsConfig", "responseTransferMode",
                        "integrationTarget")
_STAGE_MEMBERS = ("description", "cacheClusterEnabled", "cacheClusterSize", "variables", "documentationVersion",
                  "canarySettings", "tracingEnabled", "tags")


def _page(items: list[dict[str, Any]], params: Params) -> dict[str, Any]:
    start = int(params["position"]) if str(params.get("position") or "").isdigit() else 0
    size = int(params.get("limit") or 25)
    result: dict[str, Any] = {"items": items[start:start + size]}
    if start + size < len(items):
        result["position"] = str(start + size)
    return result


def _resource_view(resource: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in resource.items() if k != "resourceMethods"}
    if resource["resourceMethods"]:
        view["resourceMethods"] = resource["resourceMethods"]
    return view


class RestApiProvider(Provider):
    service_name = "apigateway"
    ignored_members = {
        "CreateRestApi": {m: _STORED for m in ("minimumCompressionSize", "apiKeySource", "endpointConfiguration",
                                                "policy", "disableExecuteApiEndpoint", "securityPolicy",
                                                "endpointAccessMode", "version")},
        "GetResources": {"embed": "methods are always listed in resourceMethods"},
        "GetResource": {"embed": "methods are always listed in resourceMethods"},
        "GetDeployment": {"embed": "apiSummary is not reported"},
        "PutMethod": {m: _STORED for m in ("apiKeyRequired", "operationName", "requestParameters", "requestModels",
                                            "requestValidatorId", "authorizationScopes", "authorizerId")},
        "PutIntegration": {m: _STORED for m in ("connectionType", "connectionId", "credentials",
                                                 "requestParameters", "requestTemplates", "passthroughBehavior",
                                                 "cacheNamespace", "cacheKeyParameters", "contentHandling",
                                                 "tlsConfig", "responseTransferMode", "integrationTarget",
                                                 "integrationHttpMethod")},
        "CreateDeployment": {m: _STORED for m in ("stageDescription", "cacheClusterEnabled", "cacheClusterSize",
                                                   "canarySettings", "tracingEnabled")},
        "CreateStage": {m: _STORED for m in ("cacheClusterEnabled", "cacheClusterSize", "documentationVersion",
                                              "canarySettings", "tracingEnabled")},
    }
    unsupported_members = {"CreateRestApi": {"cloneFrom": "cloning an API is not implemented"}}

    def __init__(self, platform: Platform, host: RestApiHost) -> None:
        self.platform = platform
        self.host = host
        self.apis = RestApiTable(platform.store, host.on_change)

    async def start(self) -> None:
        await self.apis.load()

    async def _change(self, ctx: CallContext, params: Params, edit: Any) -> Any:
        return await self.apis.change(ctx.account_id, ctx.region, params["restApiId"], edit)

    # RestApi
    async def create_rest_api(self, ctx: CallContext, params: Params) -> Result:
        api = {"id": new_id(10), "createdDate": time.time(), "apiKeySource": "HEADER",
               "endpointConfiguration": {"types": ["EDGE"]}, "disableExecuteApiEndpoint": False}
        api.update({k: params[k] for k in _API_MEMBERS if k in params})
        document = new_document(ctx.account_id, ctx.region, api)
        await self.apis.create(document)
        return api

    async def get_rest_api(self, ctx: CallContext, params: Params) -> Result:
        return (await self.apis.get(ctx.account_id, ctx.region, params["restApiId"]))["api"]

    async def get_rest_apis(self, ctx: CallContext, params: Params) -> Result:
        documents = sorted(await self.apis.all(ctx.account_id, ctx.region), key=lambda d: d["api"]["id"])
        return _page([d["api"] for d in documents], params)

    async def delete_rest_api(self, ctx: CallContext, params: Params) -> Result:
        await self.apis.delete(ctx.account_id, ctx.region, params["restApiId"])
        return None

    # Resource
    async def get_resources(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        items = sorted(document["resources"].values(), key=lambda r: r["path"])
        return _page([_resource_view(r) for r in items], params)

    async def get_resource(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        return _resource_view(_resource(document, params["resourceId"]))

    async def create_resource(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            parent = _resource(document, params["parentId"])
            part = params["pathPart"]
            if "{" in part and not (part.startswith("{") and part.endswith("}")):
                raise BadRequestException(f"Resource's path part only allow a-zA-Z0-9._- and curly braces at "
                                          f"the beginning and the end and an optional plus sign before the "
                                          f"closing brace. Got {part}")
            if parent["path"].endswith("+}"):
                raise BadRequestException("A greedy path variable must be the last part of a path.")
            path = resource_path(parent, part)
            if any(r["path"] == path for r in document["resources"].values()):
                raise ConflictException(f"Another resource with the same parent already has this name: {part}")
            resource = {"id": new_id(6), "parentId": parent["id"], "pathPart": part, "path": path,
                        "resourceMethods": {}}
            document["resources"][resource["id"]] = resource
            return _resource_view(resource)

        return await self._change(ctx, params, edit)

    async def delete_resource(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            resource = _resource(document, params["resourceId"])
            if resource["path"] == "/":
                raise BadRequestException("Cannot delete root resource")
            doomed = {r["id"] for r in document["resources"].values()
                      if r["path"] == resource["path"] or r["path"].startswith(resource["path"] + "/")}
            for ident in doomed:
                del document["resources"][ident]

        await self._change(ctx, params, edit)
        return None

    # Method and Integration
    async def put_method(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            resource = _resource(document, params["resourceId"])
            if params["authorizationType"] not in ("NONE",):
                raise BadRequestException(f"lamina serves REST API methods with authorizationType NONE only, "
                                          f"not {params['authorizationType']}.")
            method = {"httpMethod": params["httpMethod"].upper(), "apiKeyRequired": False}
            method.update({k: params[k] for k in _METHOD_MEMBERS if k in params})
            resource["resourceMethods"][method["httpMethod"]] = method
            return method

        return await self._change(ctx, params, edit)

    async def get_method(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        return _method(document, params)

    async def delete_method(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            _method(document, params)
            del _resource(document, params["resourceId"])["resourceMethods"][params["httpMethod"].upper()]

        await self._change(ctx, params, edit)
        return None

    async def put_integration(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            method = _method(document, params)
            if params["type"] != "AWS_PROXY":
                raise BadRequestException(f"lamina serves AWS_PROXY (Lambda) integrations only, not {params['type']}.")
            if function_arn_of(params.get("uri") or "") is None and "${stageVariables." not in (params.get("uri") or ""):
                raise BadRequestException("Invalid Lambda function ARN in the integration uri")
            integration = {"httpMethod": params.get("integrationHttpMethod") or "POST", "timeoutInMillis": 29000,
                           "passthroughBehavior": "WHEN_NO_MATCH", "cacheNamespace": new_id(6),
                           "cacheKeyParameters": []}
            integration.update({k: params[k] for k in _INTEGRATION_MEMBERS if k in params})
            method["methodIntegration"] = integration
            return integration

        return await self._change(ctx, params, edit)

    async def get_integration(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        integration = _method(document, params).get("methodIntegration")
        if integration is None:
            raise NotFoundException("No integration defined for method")
        return integration

    async def delete_integration(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            if _method(document, params).pop("methodIntegration", None) is None:
                raise NotFoundException("No integration defined for method")

        await self._change(ctx, params, edit)
        return None

    # Deployment and Stage
    async def create_deployment(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            if not any(r["resourceMethods"] for r in document["resources"].values()):
                raise BadRequestException("The REST API doesn't contain any methods")
            deployment = deploy(document, params.get("description"))
            if params.get("stageName"):
                stage = document["stages"].setdefault(params["stageName"], _new_stage(params["stageName"]))
                stage["deploymentId"] = deployment["id"]
                stage["variables"] = {**stage.get("variables", {}), **(params.get("variables") or {})}
                stage["lastUpdatedDate"] = time.time()
            return _public(deployment)

        return await self._change(ctx, params, edit)

    async def get_deployment(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        deployment = document["deployments"].get(params["deploymentId"])
        if deployment is None:
            raise NotFoundException("Invalid Deployment identifier specified")
        return _public(deployment)

    async def get_deployments(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        items = sorted(document["deployments"].values(), key=lambda d: d["createdDate"])
        return _page([_public(d) for d in items], params)

    async def create_stage(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            if params["stageName"] in document["stages"]:
                raise ConflictException("Stage already exists")
            if params["deploymentId"] not in document["deployments"]:
                raise BadRequestException("Invalid deployment identifier specified")
            stage = _new_stage(params["stageName"])
            stage["deploymentId"] = params["deploymentId"]
            stage.update({k: params[k] for k in _STAGE_MEMBERS if k in params})
            document["stages"][stage["stageName"]] = stage
            return stage

        return await self._change(ctx, params, edit)

    async def get_stage(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        return _stage(document, params["stageName"])

    async def get_stages(self, ctx: CallContext, params: Params) -> Result:
        document = await self.apis.get(ctx.account_id, ctx.region, params["restApiId"])
        stages = [s for s in document["stages"].values()
                  if not params.get("deploymentId") or s.get("deploymentId") == params["deploymentId"]]
        return {"item": sorted(stages, key=lambda s: s["stageName"])}

    async def update_stage(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> dict[str, Any]:
            stage = _stage(document, params["stageName"])
            for operation in params.get("patchOperations") or []:
                apply_stage_patch(document, stage, operation)
            stage["lastUpdatedDate"] = time.time()
            return stage

        return await self._change(ctx, params, edit)

    async def delete_stage(self, ctx: CallContext, params: Params) -> Result:
        def edit(document: dict[str, Any]) -> None:
            _stage(document, params["stageName"])
            del document["stages"][params["stageName"]]

        await self._change(ctx, params, edit)
        return None


def apply_stage_patch(document: dict[str, Any], stage: dict[str, Any], operation: dict[str, Any]) -> None:
    """The stage paths UpdateStage takes here: /variables/<name>, /description, /deploymentId,
    /accessLogSettings/{destinationArn,format} and /*/*/metrics/enabled
    (https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html#UpdateStage-Patch)."""
    op, path, value = operation.get("op"), operation.get("path") or "", operation.get("value")
    if path.startswith("/variables/"):
        variables = stage.setdefault("variables", {})
        if op == "remove":
            variables.pop(path[len("/variables/"):], None)
        else:
            variables[path[len("/variables/"):]] = value
    elif path == "/description":
        stage["description"] = value
    elif path == "/deploymentId":
        if value not in document["deployments"]:
            raise BadRequestException("Invalid deployment identifier specified")
        stage["deploymentId"] = value
    elif path in ("/accessLogSettings/destinationArn", "/accessLogSettings/format"):
        settings = stage.setdefault("accessLogSettings", {})
        settings[path.rsplit("/", 1)[1]] = value
    elif path == "/accessLogSettings" and op == "remove":
        stage.pop("accessLogSettings", None)
    elif path == "/*/*/metrics/enabled":
        stage.setdefault("methodSettings", {}).setdefault("*/*", {})["metricsEnabled"] = str(value).lower() == "true"
    else:
        raise BadRequestException(f"Invalid patch path '{path}' specified for op '{op}'")


def _new_stage(name: str) -> dict[str, Any]:
    now = time.time()
    return {"stageName": name, "createdDate": now, "lastUpdatedDate": now, "variables": {}, "methodSettings": {},
            "cacheClusterEnabled": False, "tracingEnabled": False}


def _public(deployment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in deployment.items() if k != "snapshot"}


def _resource(document: dict[str, Any], resource_id: str) -> dict[str, Any]:
    resource = document["resources"].get(resource_id)
    if resource is None:
        raise NotFoundException("Invalid Resource identifier specified")
    return resource


def _method(document: dict[str, Any], params: Params) -> dict[str, Any]:
    method = _resource(document, params["resourceId"])["resourceMethods"].get(params["httpMethod"].upper())
    if method is None:
        raise NotFoundException("Invalid Method identifier specified")
    return method


def _stage(document: dict[str, Any], name: str) -> dict[str, Any]:
    stage = document["stages"].get(name)
    if stage is None:
        raise NotFoundException("Invalid Stage identifier specified")
    return stage
