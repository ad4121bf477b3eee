"""Create/Get/Update/Delete/ListFunctionUrlConfig(s): a function's HTTP endpoint
(https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html).

The URLs are served by ``lamina/services/lambda_/url_front_door.py``.
"""

from __future__ import annotations

from typing import Any

from lamina.services.context import CallContext
from lamina.services.lambda_.arns import function_arn
from lamina.services.lambda_.code_store import CodeStore
from lamina.services.lambda_.configuration import last_modified_now
from lamina.services.lambda_.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lamina.services.lambda_.function_urls import FunctionUrlTable, function_url, new_url_id
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.listing import page_result
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.lambda_.targets import Target
from lamina.services.platform import Platform
from lamina.services.provider import Params, Result
from lamina.store import PreconditionFailed

_METHODS = frozenset(("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS", "*"))
_NOT_FOUND = "The resource you requested does not exist."
_PUBLIC = ("FunctionUrl", "FunctionArn", "AuthType", "Cors", "CreationTime", "LastModifiedTime", "InvokeMode")


class FunctionUrlOperations(LambdaBase):
    def __init__(self, platform: Platform, code: CodeStore) -> None:
        super().__init__(platform, code)
        self.function_urls = FunctionUrlTable(self.store)

    async def _url_target(self, ctx: CallContext, params: Params) -> Target:
        qualifier = params.get("Qualifier")
        target = await self.resolve(ctx, params["FunctionName"], qualifier)
        if target.qualifier is not None and target.alias is None and target.qualifier != "$LATEST":
            # A URL points at $LATEST or an alias, never a numbered version.
            raise InvalidParameterValueException("Function URLs can only be created for $LATEST or an alias.")
        return target

    def _view(self, document: dict[str, Any]) -> dict[str, Any]:
        view = {k: document["config"][k] for k in _PUBLIC if k in document["config"]}
        view["FunctionUrl"] = function_url(document["url_id"], document["region"],
                                           self.platform.settings.port)
        return view

    @staticmethod
    def _check_cors(cors: dict[str, Any] | None) -> None:
        for method in (cors or {}).get("AllowMethods") or ():
            if method.upper() not in _METHODS:
                raise InvalidParameterValueException(
                    f"1 validation error detected: Value '{method}' at 'cors.allowMethods' failed to satisfy "
                    "constraint: Member must be a valid HTTP method or '*'")

    async def create_function_url_config(self, ctx: CallContext, params: Params) -> Result:
        target = await self._url_target(ctx, params)
        self._check_cors(params.get("Cors"))
        record = target.record
        arn = function_arn(record.region, record.account, record.name, target.qualifier)
        now = last_modified_now()
        config = {"FunctionArn": arn, "AuthType": params["AuthType"], "CreationTime": now,
                  "LastModifiedTime": now, "InvokeMode": params.get("InvokeMode") or "BUFFERED"}
        if params.get("Cors") is not None:
            config["Cors"] = params["Cors"]
        document = {"url_id": new_url_id(), "account": record.account, "region": record.region,
                    "name": record.name, "qualifier": target.qualifier, "config": config}
        try:
            await self.function_urls.put(record, target.qualifier, document, new=True)
        except PreconditionFailed:
            raise ResourceConflictException(
                f"Failed to create function url config for [functionArn = {arn}]. "
                "Error message:  FunctionUrlConfig exists for this Lambda function") from None
        view = self._view(document)
        view.pop("LastModifiedTime")  # CreateFunctionUrlConfig's output has no LastModifiedTime
        return view

    async def _existing(self, ctx: CallContext, params: Params) -> tuple[Target, dict[str, Any]]:
        target = await self._url_target(ctx, params)
        document = await self.function_urls.get(target.record, target.qualifier)
        if document is None:
            raise ResourceNotFoundException(_NOT_FOUND)
        return target, document

    async def get_function_url_config(self, ctx: CallContext, params: Params) -> Result:
        _, document = await self._existing(ctx, params)
        return self._view(document)

    async def update_function_url_config(self, ctx: CallContext, params: Params) -> Result:
        target, document = await self._existing(ctx, params)
        config = dict(document["config"])
        if params.get("AuthType"):
            config["AuthType"] = params["AuthType"]
        if params.get("InvokeMode"):
            config["InvokeMode"] = params["InvokeMode"]
        if "Cors" in params:
            self._check_cors(params["Cors"])
            config["Cors"] = params["Cors"]
        config["LastModifiedTime"] = last_modified_now()
        document = {**document, "config": config}
        await self.function_urls.put(target.record, target.qualifier, document, new=False)
        return self._view(document)

    async def delete_function_url_config(self, ctx: CallContext, params: Params) -> Result:
        _, document = await self._existing(ctx, params)
        await self.function_urls.delete(document)
        return None

    async def list_function_url_configs(self, ctx: CallContext, params: Params) -> Result:
        record = (await self.resolve(ctx, params["FunctionName"])).record
        views = [self._view(document) for document in await self.function_urls.list(record)]
        return page_result(views, params, "FunctionUrlConfigs", key=lambda v: v["FunctionArn"])

    async def on_function_deleted(self, record: FunctionRecord) -> None:
        await self.function_urls.delete_all(record)
        await super().on_function_deleted(record)
