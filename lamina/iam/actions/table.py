"""How one service's operations map to IAM actions, resources and condition keys.

A service's table says only what cannot be derived. By default an operation
``Op`` is the action ``<prefix>:Op`` on the resource built from the first
member of ``resources`` present in the request (e.g. ``FunctionName`` -> the
function's ARN), or ``*`` when none is; tags in the request give
``aws:RequestTag/...`` and ``aws:TagKeys``. ``operations`` lists the
exceptions, as the Service Authorization Reference gives them
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

Params = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Where:
    """Where the request is served: ARNs of the caller's resources are built from it."""

    region: str
    account: str
    partition: str = "aws"
    caller: str = ""  # the caller's ARN, for operations that act on the caller when they name no one

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account}:{resource}"


ResourceRule = Callable[[Params, Where], str | None]  # None: no specific resource ("*")
KeysRule = Callable[[Params, Where], Mapping[str, object]]


def any_resource(params: Params, where: Where) -> str | None:
    """The action does not act on one resource (List*, account settings): ``*``."""
    return None


def given_arn(member: str) -> ResourceRule:
    """The request names the resource by ARN in ``member``."""
    return lambda params, where: params.get(member) or None


@dataclass(frozen=True, slots=True)
class Op:
    action: str | None = None  # the action's name after the prefix (default: the operation's name)
    resource: ResourceRule | None = None  # None: derived from ``ServiceActions.resources``
    keys: KeysRule | None = None  # service-specific condition keys from the request
    # The provider decides itself (sts:AssumeRole must read the trust policy) or the operation
    # needs no permission at all (sts:GetCallerIdentity): the gateway does not check it.
    unchecked: bool = False


@dataclass(frozen=True)
class ServiceActions:
    service: str  # the botocore model name ("lambda", "cloudwatch")
    prefix: str  # the IAM service prefix ("lambda", "cloudwatch", "sqs")
    resources: tuple[tuple[str, ResourceRule], ...] = ()  # (request member, rule), tried in order
    operations: Mapping[str, Op] = field(default_factory=dict)
    # The error code a denial answers with, when the model's access-denied shape does not say.
    denied_code: str | None = None
    # For services whose actions are not named after operations (API Gateway's HTTP verbs on paths):
    # operation -> Op, computed once per operation.
    derive: Callable[[str], Op] | None = None

    def entry(self, operation: str) -> Op:
        found = self.operations.get(operation)
        if found is None and self.derive is not None:
            found = self.derive(operation)
        return found or _DEFAULT

    def action(self, operation: str) -> str:
        return f"{self.prefix}:{self.entry(operation).action or operation}"

    def resource(self, operation: str, params: Params, where: Where) -> str:
        rule = self.entry(operation).resource
        if rule is None:
            rule = next((r for member, r in self.resources if params.get(member) not in (None, "")), any_resource)
        return rule(params, where) or "*"


_DEFAULT = Op()
