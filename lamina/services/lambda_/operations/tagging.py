"""TagResource, UntagResource, ListTags on functions."""

from __future__ import annotations

from lamina.services.context import CallContext
from lamina.services.lambda_ import tags
from lamina.services.lambda_.arns import parse_function_arn
from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException
from lamina.services.lambda_.functions import FunctionRecord
from lamina.services.lambda_.operations.base import LambdaBase
from lamina.services.provider import Params, Result


class TagOperations(LambdaBase):
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
