"""The statement AddPermission writes (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)."""

from __future__ import annotations

from lamina.iam.service_access import service_may
from lamina.services.lambda_.resource_policy import key_of_arn, statement_for

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_principals() -> None:
    base = {"StatementId": "s", "Action": "lambda:InvokeFunction"}
    assert statement_for({**base, "Principal": "*"}, FN)["Principal"] == "*"
    assert statement_for({**base, "Principal": "210987654321"}, FN)["Principal"] == {
        "AWS": "arn:aws:iam::210987654321:root"}
    assert statement_for({**base, "Principal": "arn:aws:iam::210987654321:role/r"}, FN)["Principal"] == {
        "AWS": "arn:aws:iam::210987654321:role/r"}
    assert statement_for({**base, "Principal": "s3.amazonaws.com"}, FN)["Principal"] == {"Service": "s3.amazonaws.com"}


def test_conditions() -> None:
    statement = statement_for({"StatementId": "s", "Action": "lambda:InvokeFunctionUrl", "Principal": "*",
                               "FunctionUrlAuthType": "NONE", "PrincipalOrgID": "o-abcdefghij"}, FN)
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij",
                                                       "lambda:FunctionUrlAuthType": "NONE"}}


def test_service_access_by_source_arn_and_account() -> None:
    import json
    policy = json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": [statement_for(
        {"StatementId": "s", "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com",
         "SourceArn": "arn:aws:sns:us-east-1:123456789012:topic-*", "SourceAccount": "123456789012"}, FN)]})
    may = dict(service="sns.amazonaws.com", action="lambda:InvokeFunction", resource=FN)
    assert service_may(policy, source_arn="arn:aws:sns:us-east-1:123456789012:topic-a", source_account="123456789012",
                       **may)
    assert not service_may(policy, source_arn="arn:aws:sns:us-east-1:123456789012:other", source_account="123456789012",
                           **may)
    assert not service_may(policy, source_arn="arn:aws:sns:us-east-1:123456789012:topic-a", **may)
    assert not service_may(policy, source_arn="arn:aws:sns:us-east-1:123456789012:topic-a",
                           source_account="123456789012", **{**may, "service": "events.amazonaws.com"})
    assert not service_may(None, **may)


def test_policy_keys() -> None:
    assert key_of_arn(FN) == "123456789012/us-east-1/f/"
    assert key_of_arn(FN + ":live") == "123456789012/us-east-1/f/live"
    assert key_of_arn("arn:aws:lambda:us-east-1:123456789012:layer:l:1") is None
