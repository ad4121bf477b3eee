"""Function references resolve as Lambda documents for Invoke's FunctionName
(https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax)."""

from __future__ import annotations

import pytest

from lamina.services.lambda_.arns import FunctionRef, parse_function_arn, parse_function_ref
from lamina.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException

REGION, ACCOUNT = "us-east-1", "000000000000"


@pytest.mark.parametrize("text, qualifier, expected", [
    ("my-function", None, FunctionRef("my-function", None)),
    ("my-function:v1", None, FunctionRef("my-function", "v1")),
    ("my-function", "7", FunctionRef("my-function", "7")),
    ("000000000000:function:my-function", None, FunctionRef("my-function", None)),
    ("arn:aws:lambda:us-east-1:000000000000:function:my-function", None, FunctionRef("my-function", None)),
    ("arn:aws:lambda:us-east-1:000000000000:function:my-function:$LATEST", None,
     FunctionRef("my-function", "$LATEST")),
    ("arn:aws:lambda:us-east-1:000000000000:function:my-function:prod", "prod", FunctionRef("my-function", "prod")),
])
def test_every_documented_form_resolves(text: str, qualifier: str | None, expected: FunctionRef) -> None:
    assert parse_function_ref(text, REGION, ACCOUNT, qualifier) == expected


def test_conflicting_qualifiers_are_refused() -> None:
    with pytest.raises(InvalidParameterValueException) as refused:
        parse_function_ref("my-function:v1", REGION, ACCOUNT, "v2")
    assert "derived qualifier" in refused.value.message


@pytest.mark.parametrize("text", [
    "arn:aws:lambda:eu-west-1:000000000000:function:my-function",
    "arn:aws:lambda:us-east-1:111111111111:function:my-function",
])
def test_other_regions_and_accounts_are_not_found_here(text: str) -> None:
    with pytest.raises(ResourceNotFoundException):
        parse_function_ref(text, REGION, ACCOUNT)


def test_full_arn_parts() -> None:
    assert parse_function_arn("arn:aws:lambda:us-east-1:000000000000:function:f:3") == (
        "us-east-1", "000000000000", "f", "3")
    with pytest.raises(InvalidParameterValueException):
        parse_function_arn("my-function")
