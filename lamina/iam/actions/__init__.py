"""Which IAM action, resource and condition keys each operation of each served service needs.

Every module in this package that defines ``SERVICE`` (the botocore model
name) and ``TABLE`` (a ``ServiceActions``) is found by itself: a service adds
its mapping by adding ``lamina/iam/actions/<service>.py``. A service without
a table is still checked, with what can be derived: the action
``<service>:<Operation>`` on ``*``.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Mapping

from lamina.iam.actions.table import Params, ServiceActions, Where
from lamina.iam.context import Context, context_of, tag_keys


@dataclass(frozen=True, slots=True)
class Access:
    """What one request asks to do, as the policy evaluator sees it."""

    action: str  # "lambda:InvokeFunction"
    resource: str  # an ARN or "*"
    keys: Context  # service-specific and request-tag condition keys
    checked: bool = True  # False: the provider authorizes (or no permission is needed)


@functools.cache
def tables() -> dict[str, ServiceActions]:
    found: dict[str, ServiceActions] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "table":
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        table = getattr(loaded, "TABLE", None)
        if isinstance(table, ServiceActions):
            found[table.service] = table
    return found


# IAM prefixes that differ from the botocore model name.
_PREFIXES = {"apigatewayv2": "apigateway"}


def table_for(service: str) -> ServiceActions:
    return tables().get(service) or _derived(service)


@functools.cache
def _derived(service: str) -> ServiceActions:
    return ServiceActions(service=service, prefix=_PREFIXES.get(service, service))


_TAG_MEMBERS = ("Tags", "tags", "TagKeys", "tagKeys")


def _tags(params: Params) -> Context:
    """aws:RequestTag/<key> and aws:TagKeys from the request's tags (map or Key/Value list)."""
    keys: Context = {}
    if not any(member in params for member in _TAG_MEMBERS):
        return keys
    for member in ("Tags", "tags"):
        tags = params.get(member)
        if isinstance(tags, Mapping):
            pairs = {str(k): str(v) for k, v in tags.items()}
        elif isinstance(tags, list):
            pairs = {str(t.get("Key", t.get("key"))): str(t.get("Value", t.get("value", "")))
                     for t in tags if isinstance(t, Mapping)}
        else:
            continue
        keys.update(tag_keys("aws:requesttag", pairs))
        keys["aws:tagkeys"] = tuple(pairs)
    for member in ("TagKeys", "tagKeys"):
        names = params.get(member)
        if isinstance(names, list):
            keys["aws:tagkeys"] = tuple(str(n) for n in names)
    return keys


def access_for(service: str, operation: str, params: Mapping[str, Any], where: Where) -> Access:
    """The action, resource and keys of one request to ``service`` (its botocore name)."""
    table = table_for(service)
    entry = table.entry(operation)
    action = table.action(operation)
    if entry.unchecked:
        return Access(action, "*", {}, checked=False)
    keys = _tags(params)
    if entry.keys is not None:
        keys.update(context_of(entry.keys(params, where)))
    return Access(action, table.resource(operation, params, where), keys)
