"""The AWS managed policies lamina ships: real documents, with their source."""

from __future__ import annotations

import json

from lamina.iam.managed import aws_managed_policies
from lamina.iam.statement import compile_policy


def test_every_managed_policy_reads_and_names_its_source() -> None:
    policies = aws_managed_policies()
    assert len(policies) >= 30
    for arn, policy in policies.items():
        assert arn == f"arn:aws:iam::aws:policy{policy.path}{policy.name}"
        assert policy.sources[0] == f"https://docs.aws.amazon.com/aws-managed-policy/latest/reference/{policy.name}.html"
        assert policy.policy_id.startswith("ANPA") and policy.version_id.startswith("v")
        compile_policy(policy.document)


def test_documents_match_the_managed_policy_reference() -> None:
    # https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
    basic = aws_managed_policies()["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    assert json.loads(basic.document) == {"Version": "2012-10-17", "Statement": [
        {"Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*",
         "Effect": "Allow"}]}
    # https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
    admin = aws_managed_policies()["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert json.loads(admin.document)["Statement"] == [{"Action": "*", "Resource": "*", "Effect": "Allow"}]
