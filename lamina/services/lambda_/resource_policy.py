"""Function policies: the resource-based policy of a function, version or alias.

AddPermission turns its parameters into one statement, as Lambda writes it
(https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html):
an account ID becomes ``{"AWS": "arn:aws:iam::<id>:root"}``, a service
``{"Service": ...}``; SourceArn becomes an ``ArnLike`` condition on
``AWS:SourceArn``, SourceAccount, PrincipalOrgID and FunctionUrlAuthType
``StringEquals`` conditions. Policies are kept per function and qualifier,
with a revision ID of their own, and cached: the authorization check reads
them on every invoke.
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

import orjson

from lamina.services.lambda_.errors import (
    PolicyLengthExceededException,
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from lamina.services.lambda_.functions import FunctionRecord, function_key
from lamina.store import ANY, Store

TABLE = "lambda:policies"
MAX_POLICY_BYTES = 20_480  # https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
_ACCOUNT = re.compile(r"^\d{12}$")
_FUNCTION_ARN = re.compile(r"^arn:[^:]+:lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$")


def policy_key(account: str, region: str, name: str, qualifier: str | None) -> str:
    return f"{function_key(account, region, name)}/{qualifier or ''}"


@functools.lru_cache(maxsize=4096)
def key_of_arn(arn: str) -> str | None:
    found = _FUNCTION_ARN.match(arn)
    if found is None:
        return None
    region, account, name, qualifier = found.groups()
    return policy_key(account, region, name, qualifier)


def statement_for(params: dict[str, Any], resource: str) -> dict[str, Any]:
    principal = params["Principal"]
    if principal == "*":
        who: Any = "*"
    elif _ACCOUNT.match(principal):
        who = {"AWS": f"arn:aws:iam::{principal}:root"}
    elif principal.startswith("arn:"):
        who = {"AWS": principal}
    else:
        who = {"Service": principal}
    statement: dict[str, Any] = {"Sid": params["StatementId"], "Effect": "Allow", "Principal": who,
                                 "Action": params["Action"], "Resource": resource}
    conditions: dict[str, dict[str, Any]] = {}
    equals = {}
    if params.get("SourceAccount"):
        equals["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    if params.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = params["EventSourceToken"]
    if equals:
        conditions["StringEquals"] = equals
    if params.get("SourceArn"):
        conditions["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if params.get("InvokedViaFunctionUrl"):
        conditions["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if conditions:
        statement["Condition"] = conditions
    return statement


class PolicyTable:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, str | None] = {}

    async def text(self, key: str) -> str | None:
        """The policy document as JSON text (cached), or None."""
        if key in self._cache:
            return self._cache[key]
        found = await self.store.get(TABLE, key)
        text = orjson.dumps(found.value["Policy"]).decode() if found else None
        self._cache[key] = text
        return text

    async def get(self, record: FunctionRecord, qualifier: str | None) -> dict[str, Any]:
        found = await self.store.get(TABLE, policy_key(record.account, record.region, record.name, qualifier))
        if found is None:
            raise ResourceNotFoundException("The resource you requested does not exist.")
        return found.value

    async def add(self, record: FunctionRecord, qualifier: str | None, statement: dict[str, Any],
                  revision: str | None) -> None:
        key = policy_key(record.account, record.region, record.name, qualifier)
        found = await self.store.get(TABLE, key)
        current = found.value if found else {"Policy": {"Version": "2012-10-17", "Id": "default", "Statement": []}}
        _check_revision(current.get("RevisionId"), revision)
        if any(s.get("Sid") == statement["Sid"] for s in current["Policy"]["Statement"]):
            raise ResourceConflictException(
                "The statement id (sid) provided already exists. Please specify a new statement id, or remove the "
                "existing statement.")
        current["Policy"]["Statement"].append(statement)
        size = len(orjson.dumps(current["Policy"]))
        if size > MAX_POLICY_BYTES:
            raise PolicyLengthExceededException(
                f"The final policy size ({size}) is bigger than the limit ({MAX_POLICY_BYTES}).")
        current["RevisionId"] = str(uuid.uuid4())
        await self.store.put(TABLE, key, current, if_version=found.version if found else None)
        self._cache.pop(key, None)

    async def remove(self, record: FunctionRecord, qualifier: str | None, sid: str, revision: str | None) -> None:
        key = policy_key(record.account, record.region, record.name, qualifier)
        found = await self.store.get(TABLE, key)
        if found is None:
            raise ResourceNotFoundException("No policy is associated with the given resource.")
        current = found.value
        _check_revision(current.get("RevisionId"), revision)
        statements = current["Policy"]["Statement"]
        if not any(s.get("Sid") == sid for s in statements):
            raise ResourceNotFoundException(f"Statement {sid} is not found in resource policy.")
        current["Policy"]["Statement"] = [s for s in statements if s.get("Sid") != sid]
        if current["Policy"]["Statement"]:
            current["RevisionId"] = str(uuid.uuid4())
            await self.store.put(TABLE, key, current, if_version=found.version)
        else:
            await self.store.delete(TABLE, key, if_version=found.version)
        self._cache.pop(key, None)

    async def forget(self, record: FunctionRecord, qualifier: str | None = None, *, all_qualifiers: bool = False) -> None:
        """Drop the policy of a deleted version or alias, or every policy of a deleted function."""
        if all_qualifiers:
            prefix = function_key(record.account, record.region, record.name) + "/"
            for found in await self.store.scan(TABLE, prefix):
                await self.store.delete(TABLE, found.key, if_version=ANY)
            self._cache = {k: v for k, v in self._cache.items() if not k.startswith(prefix)}
            return
        key = policy_key(record.account, record.region, record.name, qualifier)
        await self.store.delete(TABLE, key, if_version=ANY)
        self._cache.pop(key, None)


def _check_revision(current: str | None, expected: str | None) -> None:
    if expected is not None and expected != current:
        raise PreconditionFailedException(
            "The RevisionId provided does not match the latest RevisionId for the Lambda function or alias. Call "
            "the GetFunction or the GetAlias API to retrieve the latest RevisionId for your resource.")
