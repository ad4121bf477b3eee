"""Lambda: actions, resources and condition keys
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html).

Functions are authorized on the ARN the request names: with its qualifier
(``FunctionName`` ``f:prod`` or ``Qualifier``) the qualified ARN, otherwise the
unqualified one; "if your policy references the unqualified ARN, Lambda ...
denies requests that reference a qualified ARN".
"""

from __future__ import annotations

import functools
import re

from lamina.iam.actions.table import Op, Params, ServiceActions, Where, any_resource, given_arn

SERVICE = "lambda"

_FUNCTION = re.compile(r"^(?:arn:[^:]*:lambda:(?P<region>[^:]+):)?(?:(?P<account>\d{12}):)?(?:function:)?"
                       r"(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?$")
_LAYER = re.compile(r"^arn:[^:]*:lambda:(?P<region>[^:]+):(?P<account>\d{12}):layer:(?P<name>[^:]+)$")


def function_arn(params: Params, where: Where) -> str:
    return _function_arn(str(params["FunctionName"]), params.get("Qualifier"), where.region, where.account,
                         where.partition)


@functools.lru_cache(maxsize=4096)
def _function_arn(ref: str, qualifier: str | None, region: str, account: str, partition: str) -> str:
    found = _FUNCTION.match(ref)
    if found is None:
        return f"arn:{partition}:lambda:{region}:{account}:function:{ref}"
    qualifier = found["qualifier"] or qualifier
    arn = f"arn:{partition}:lambda:{found['region'] or region}:{found['account'] or account}:function:{found['name']}"
    return f"{arn}:{qualifier}" if qualifier else arn


def unqualified_function_arn(params: Params, where: Where) -> str:
    """Operations on the function itself (CreateFunction, aliases, tags): never a qualifier."""
    return function_arn({"FunctionName": params["FunctionName"]}, where)


def layer_arn(params: Params, where: Where) -> str:
    name = str(params["LayerName"])
    found = _LAYER.match(name)
    arn = found.group(0) if found else where.arn("lambda", f"layer:{name}")
    version = params.get("VersionNumber")
    return f"{arn}:{version}" if version is not None else arn


def mapping_arn(params: Params, where: Where) -> str:
    return where.arn("lambda", f"event-source-mapping:{params['UUID']}")


def _principal_keys(params: Params, where: Where) -> dict[str, object]:
    keys: dict[str, object] = {"lambda:Principal": params.get("Principal")}
    if params.get("FunctionUrlAuthType"):
        keys["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    return keys


def _layer_keys(params: Params, where: Where) -> dict[str, object]:
    layers = params.get("Layers")
    return {"lambda:Layer": tuple(layers)} if layers is not None else {}


def _function_arn_key(params: Params, where: Where) -> dict[str, object]:
    name = params.get("FunctionName")
    return {"lambda:FunctionArn": function_arn({"FunctionName": name}, where)} if name else {}


def _url_keys(params: Params, where: Where) -> dict[str, object]:
    keys: dict[str, object] = {}
    if params.get("AuthType"):
        keys["lambda:FunctionUrlAuthType"] = params["AuthType"]
    if params.get("FunctionName"):
        keys["lambda:FunctionArn"] = function_arn(params, where)
    return keys


TABLE = ServiceActions(
    service=SERVICE,
    prefix="lambda",
    resources=(("FunctionName", function_arn), ("LayerName", layer_arn), ("UUID", mapping_arn),
               ("Resource", given_arn("Resource")), ("CodeSigningConfigArn", given_arn("CodeSigningConfigArn"))),
    operations={
        # "This is a special case where the action identifier (lambda:InvokeFunction) differs from the
        # API operation (Invoke)."
        "Invoke": Op("InvokeFunction"),
        "InvokeWithResponseStream": Op("InvokeFunction"),
        "CreateFunction": Op(resource=unqualified_function_arn, keys=_layer_keys),
        "UpdateFunctionConfiguration": Op(resource=unqualified_function_arn, keys=_layer_keys),
        "AddPermission": Op(keys=_principal_keys),
        "RemovePermission": Op(keys=_principal_keys),
        "CreateFunctionUrlConfig": Op(keys=_url_keys),
        "UpdateFunctionUrlConfig": Op(keys=_url_keys),
        "DeleteFunctionUrlConfig": Op(keys=_url_keys),
        "GetFunctionUrlConfig": Op(keys=_url_keys),
        # Event source mappings: create/get/list act on "*", with lambda:FunctionArn to narrow them.
        "CreateEventSourceMapping": Op(resource=any_resource, keys=_function_arn_key),
        "ListEventSourceMappings": Op(resource=any_resource),
        "UpdateEventSourceMapping": Op(keys=_function_arn_key),
        "DeleteEventSourceMapping": Op(keys=_function_arn_key),
        # "The GetLayerVersion action also covers GetLayerVersionByArn."
        "GetLayerVersionByArn": Op("GetLayerVersion", resource=given_arn("Arn")),
        "ListLayers": Op(resource=any_resource),
        "ListFunctions": Op(resource=any_resource),
        "GetAccountSettings": Op(resource=any_resource),
    },
)
