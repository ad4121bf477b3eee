"""Wildcard matching of actions (case-insensitive) and resources (case-sensitive, ARN components)."""

from __future__ import annotations

import pytest

from lamina.iam.wildcards import any_arn_matcher, any_glob_matcher, arn_matcher

FN = "arn:aws:lambda:us-east-1:123456789012:function"


@pytest.mark.parametrize("patterns, action, expected", [
    (("lambda:Invoke*",), "lambda:InvokeFunction", True),
    (("lambda:invoke*",), "LAMBDA:INVOKEFUNCTION", True),
    (("iam:Get?ser",), "iam:GetUser", True),
    (("iam:Get?ser",), "iam:GetUsers", False),
    (("s3:*", "sqs:Send*"), "sqs:SendMessage", True),
    (("*",), "anything:AtAll", True),
])
def test_actions(patterns: tuple[str, ...], action: str, expected: bool) -> None:
    assert any_glob_matcher(patterns, ignore_case=True)(action) is expected


# The Lambda guide's examples (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
@pytest.mark.parametrize("pattern, resource, expected", [
    (f"{FN}:myFunction", f"{FN}:myFunction", True),
    (f"{FN}:myFunction", f"{FN}:myFunction:1", False),
    (f"{FN}:myFunction:*", f"{FN}:myFunction:1", True),
    (f"{FN}:myFunction:*", f"{FN}:myFunction", False),
    (f"{FN}:myFunction*", f"{FN}:myFunction:prod", True),
    (f"{FN}:myFunction*", f"{FN}:myFunction", True),
    (f"{FN}:MyFunction", f"{FN}:myFunction", False),  # resources are case-sensitive
    ("arn:aws:lambda:*:123456789012:function:f", f"{FN}:f", True),
    ("arn:aws:lambda:*:*:function:f", "arn:aws:lambda:us-east-1:x:y:function:f", False),  # * stays in its component
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", True),  # the resource part may hold colons
    ("arn:aws:s3:::*log*", "arn:aws:s3:::my-logs", True),
    ("arn:aws:lambda:*", f"{FN}:f", True),
    ("*", "arn:anything", True),
])
def test_resources(pattern: str, resource: str, expected: bool) -> None:
    assert arn_matcher(pattern)(resource) is expected
    assert any_arn_matcher((pattern, "arn:aws:none:::nothing"))(resource) is expected
