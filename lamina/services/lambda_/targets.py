"""What a (function name, qualifier) pair refers to: $LATEST, a published version, or an alias.

Lambda resolves names, partial ARNs and full ARNs, qualified or not
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.services.lambda_.aliases import AliasTable
from lamina.services.lambda_.arns import function_arn, parse_function_ref
from lamina.services.lambda_.errors import ResourceNotFoundException
from lamina.services.lambda_.functions import FunctionRecord, FunctionTable
from lamina.services.lambda_.versions import VersionTable

LATEST = "$LATEST"


@dataclass
class Target:
    record: FunctionRecord
    qualifier: str | None  # as the caller gave it (None, "$LATEST", "3", "prod")
    version: str  # the version the qualifier names: "$LATEST" or a number; for aliases, the primary version
    config: dict[str, Any]  # that version's FunctionConfiguration
    code: dict[str, Any]  # that version's code {"digest", "size", "unzipped"}
    alias: dict[str, Any] | None = None  # the AliasConfiguration when the qualifier is an alias

    @property
    def arn(self) -> str:
        """The ARN as the caller addressed it (qualified when they gave a qualifier)."""
        return function_arn(self.record.region, self.record.account, self.record.name, self.qualifier)

    @property
    def unqualified_arn(self) -> str:
        return self.record.arn


def split_reference(name: str, region: str, account: str, qualifier: str | None) -> tuple[str, str | None]:
    ref = parse_function_ref(name, region, account, qualifier)
    return ref.name, ref.qualifier


class Resolver:
    """Finds the Target of a (name, qualifier) in the caller's account and region."""

    def __init__(self, functions: FunctionTable, versions: VersionTable, aliases: AliasTable) -> None:
        self.functions = functions
        self.versions = versions
        self.aliases = aliases

    async def resolve(self, region: str, account: str, name: str, qualifier: str | None = None, *,
                      shared: bool = False) -> Target:
        """``shared``: for callers that only read the target (invocations), see FunctionTable.find."""
        fn_name, qualifier = split_reference(name, region, account, qualifier)
        record = await self.functions.get(account, region, fn_name, shared=shared)
        return await self.target(record, qualifier)

    async def target(self, record: FunctionRecord, qualifier: str | None) -> Target:
        if qualifier in (None, LATEST):
            return Target(record, qualifier, LATEST, record.config, record.code)
        if qualifier.isdigit():
            snapshot = await self.versions.get(record, qualifier)
            if snapshot is None:
                raise self._not_found(record, qualifier)
            return Target(record, qualifier, qualifier, snapshot["config"], snapshot["code"])
        found = await self.aliases.get(record, qualifier)
        if found is None:
            raise self._not_found(record, qualifier)
        alias = found[0]
        inner = await self.target(record, alias["FunctionVersion"])
        return Target(record, qualifier, inner.version, inner.config, inner.code, alias)

    @staticmethod
    def _not_found(record: FunctionRecord, qualifier: str) -> ResourceNotFoundException:
        return ResourceNotFoundException(
            f"Function not found: {function_arn(record.region, record.account, record.name, qualifier)}")
