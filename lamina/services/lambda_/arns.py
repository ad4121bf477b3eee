"""Function names, partial ARNs and full ARNs, resolved as Lambda resolves them.

Lambda accepts a function as ``my-function``, ``my-function:alias``,
``123456789012:function:my-function`` or
``arn:aws:lambda:us-west-2:123456789012:function:my-function[:qualifier]``
(https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException

_FUNCTION_REF = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_.-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    name: str
    qualifier: str | None


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def parse_function_ref(text: str, region: str, account: str, qualifier: str | None = None) -> FunctionRef:
    """The function a name/ARN refers to in this region and account, and its qualifier."""
    found = _FUNCTION_REF.match(text)
    if found is None:
        # The model's pattern already refused malformed names; anything else is simply not there.
        raise ResourceNotFoundException(f"Function not found: {function_arn(region, account, text)}")
    if found["region"] and found["region"] != region:
        # An ARN of another region is not found in this region's endpoint.
        raise ResourceNotFoundException(f"Function not found: {text}")
    if found["account"] and found["account"] != account:
        raise ResourceNotFoundException(f"Function not found: {text}")
    derived = found["qualifier"]
    if derived and qualifier and derived != qualifier:
        raise InvalidParameterValueException(
            "The derived qualifier from the function name does not match the specified qualifier.")
    return FunctionRef(found["name"], derived or qualifier)


def parse_function_arn(arn: str) -> tuple[str, str, str, str | None]:
    """(region, account, name, qualifier) of a full function ARN; raises for anything else."""
    found = _FUNCTION_REF.match(arn)
    if found is None or not found["region"] or not found["account"]:
        raise InvalidParameterValueException(f"Invalid ARN: {arn}")
    return found["region"], found["account"], found["name"], found["qualifier"]
