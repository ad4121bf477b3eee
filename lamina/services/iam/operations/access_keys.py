"""CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html).

A user has at most two keys; an Inactive key is refused by the authenticator
("The security token included in the request is invalid.") until it is made
Active again.
"""

from __future__ import annotations

from lamina.services.context import CallContext
from lamina.services.iam import identifiers
from lamina.services.iam.errors import LimitExceededException, NoSuchEntityException
from lamina.services.iam.listing import page
from lamina.services.iam.operations.base import IamBase, now
from lamina.services.iam.records import Document
from lamina.services.provider import Params, Result

MAX_KEYS_PER_USER = 2


def key_metadata(key: Document) -> dict[str, str]:
    return {k: key[k] for k in ("UserName", "AccessKeyId", "Status", "CreateDate")}


class AccessKeyOperations(IamBase):
    async def _key(self, ctx: CallContext, user: Document, key_id: str) -> Document:
        key = await self.directory.keys.get(key_id)
        if key is None or key["Account"] != ctx.account_id or key["UserName"].lower() != user["UserName"].lower():
            raise NoSuchEntityException(f"The Access Key with id {key_id} cannot be found")
        return key

    async def create_access_key(self, ctx: CallContext, params: Params) -> Result:
        user = await self.caller_user(ctx, params.get("UserName"))
        if len(await self.directory.keys.of_user(ctx.account_id, user["UserName"])) >= MAX_KEYS_PER_USER:
            raise LimitExceededException(f"Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}")
        key = {"AccessKeyId": identifiers.access_key_id(), "SecretAccessKey": identifiers.secret_access_key(),
               "UserName": user["UserName"], "Account": ctx.account_id, "Status": "Active", "CreateDate": now()}
        await self.directory.keys.put(key)
        return {"AccessKey": {k: key[k] for k in ("UserName", "AccessKeyId", "Status", "SecretAccessKey",
                                                  "CreateDate")}}

    async def list_access_keys(self, ctx: CallContext, params: Params) -> Result:
        user = await self.caller_user(ctx, params.get("UserName"))
        keys = [key_metadata(k) for k in await self.directory.keys.of_user(ctx.account_id, user["UserName"])]
        return page(keys, params.get("Marker"), params.get("MaxItems"), "AccessKeyMetadata")

    async def update_access_key(self, ctx: CallContext, params: Params) -> Result:
        user = await self.caller_user(ctx, params.get("UserName"))
        key = await self._key(ctx, user, params["AccessKeyId"])
        await self.directory.keys.put({**key, "Status": params["Status"]})
        return None

    async def delete_access_key(self, ctx: CallContext, params: Params) -> Result:
        user = await self.caller_user(ctx, params.get("UserName"))
        key = await self._key(ctx, user, params["AccessKeyId"])
        await self.directory.keys.delete(key["AccessKeyId"])
        return None

    async def get_access_key_last_used(self, ctx: CallContext, params: Params) -> Result:
        key = await self.directory.keys.get(params["AccessKeyId"])
        if key is None or key["Account"] != ctx.account_id:
            raise NoSuchEntityException(f"The Access Key with id {params['AccessKeyId']} cannot be found")
        # lamina does not record key use; AWS reports N/A for keys never used.
        return {"UserName": key["UserName"], "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}}
