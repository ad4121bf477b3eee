"""Execution roles: who may give a role to a function, whether Lambda may assume it, and what a
function may do with the role's credentials (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.identities import allow, make_user, policy
from tests.lamina_server import LAMBDA_TRUST, LaminaServer

ACCOUNT = "000000000000"
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."

# Calls AWS with boto3 from inside the function, with a client made at init as functions usually do.
CALLER = """
import os
import boto3
from botocore.exceptions import ClientError

sts = boto3.client("sts")
lam = boto3.client("lambda")

def handler(event, context):
    result = {"key": os.environ["AWS_ACCESS_KEY_ID"], "token": bool(os.environ.get("AWS_SESSION_TOKEN")),
              "identity": sts.get_caller_identity()["Arn"]}
    try:
        if event.get("invoke"):
            lam.invoke(FunctionName=event["invoke"])
        else:
            lam.list_functions()
        result["lambda"] = "ok"
    except ClientError as error:
        result["lambda"] = error.response["Error"]["Code"]
        result["message"] = error.response["Error"]["Message"]
    return result
"""


def make_role(server: LaminaServer, *managed: str, trust: str = LAMBDA_TRUST) -> tuple[str, str]:
    iam = server.client("iam")
    name = f"exec-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    for policy_arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return name, arn


def create(server: LaminaServer, role_arn: str, source: str = CALLER, client=None) -> str:  # type: ignore[no-untyped-def]
    client = client or server.client("lambda")
    name = unique_name("role-fn")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=role_arn, Handler="app.handler",
                           Code={"ZipFile": python_zip(source)}, Timeout=30)
    server.client("lambda").get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def invoke(server: LaminaServer, name: str, event: dict | None = None) -> dict:
    response = server.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}))
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return payload


@pytest.mark.parametrize("role", [f"arn:aws:iam::{ACCOUNT}:role/does-not-exist", "untrusting"])
def test_lambda_must_be_able_to_assume_the_role(server: LaminaServer, role: str) -> None:
    if role == "untrusting":
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
        role = make_role(server, trust=trust)[1]
    with pytest.raises(ClientError) as refused:
        create(server, role, "def handler(e, c):\n    return 1\n")
    assert refused.value.response["Error"] == {"Code": "InvalidParameterValueException", "Message": CANNOT_ASSUME}
    with pytest.raises(ClientError) as update:
        server.client("lambda").update_function_configuration(FunctionName=create(server, ROLE, "def handler(e, c): pass\n"),
                                                              Role=role)
    assert update.value.response["Error"]["Message"] == CANNOT_ASSUME


def test_the_caller_needs_pass_role(server: LaminaServer) -> None:
    creator = make_user(server, policy(allow(["lambda:CreateFunction", "lambda:GetFunction*"])))
    with pytest.raises(ClientError) as refused:
        create(server, ROLE, "def handler(e, c):\n    return 1\n", client=creator.client("lambda"))
    assert refused.value.response["Error"] == {
        "Code": "AccessDeniedException",
        "Message": f"User: {creator.arn} is not authorized to perform: iam:PassRole on resource: {ROLE} because no "
                   "identity-based policy allows the iam:PassRole action"}
    passer = make_user(server, policy(allow(["lambda:CreateFunction", "lambda:GetFunction*"]),
                                      allow("iam:PassRole", ROLE, Condition={
                                          "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})))
    create(server, ROLE, "def handler(e, c):\n    return 1\n", client=passer.client("lambda"))
    elsewhere = make_user(server, policy(allow(["lambda:CreateFunction", "lambda:GetFunction*"]),
                                         allow("iam:PassRole", ROLE, Condition={
                                             "StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})))
    with pytest.raises(ClientError):
        create(server, ROLE, "def handler(e, c):\n    return 1\n", client=elsewhere.client("lambda"))


def test_the_role_decides_what_the_function_may_do(server: LaminaServer) -> None:
    role_name, role_arn = make_role(server)
    name = create(server, role_arn)
    result = invoke(server, name)
    assert result["key"].startswith("ASIA") and result["token"]
    assert result["identity"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{name}"
    assert result["lambda"] == "AccessDeniedException"
    assert result["message"] == (f"User: {result['identity']} is not authorized to perform: lambda:ListFunctions "
                                 "because no identity-based policy allows the lambda:ListFunctions action")
    server.client("iam").attach_role_policy(RoleName=role_name,
                                            PolicyArn="arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess")
    assert invoke(server, name)["lambda"] == "ok"


def test_a_function_invokes_another_only_if_its_role_allows(server: LaminaServer) -> None:
    callee = create(server, ROLE, "def handler(e, c):\n    return 'callee'\n")
    role_name, role_arn = make_role(server)
    caller = create(server, role_arn)
    assert invoke(server, caller, {"invoke": callee})["lambda"] == "AccessDeniedException"
    # AWSLambdaRole: lambda:InvokeFunction on * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaRole.html)
    server.client("iam").attach_role_policy(RoleName=role_name,
                                            PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
    assert invoke(server, caller, {"invoke": callee})["lambda"] == "ok"


def test_credentials_are_renewed_before_they_expire(fresh_server: LaminaServer) -> None:
    # Role credentials last an hour, renewed with 20 minutes to go; at 1/500 scale: 7.2 s and 2.4 s.
    fresh_server.extra_env = {"LAMINA_CREDENTIAL_DURATION_SCALE": "0.002"}
    fresh_server.start()
    role_name, role_arn = make_role(fresh_server, "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess")
    name = create(fresh_server, role_arn)
    started = time.monotonic()
    first = invoke(fresh_server, name)
    assert first["lambda"] == "ok"
    time.sleep(max(0.0, 5.2 - (time.monotonic() - started)))  # into the renewal window, by the clock
    second = invoke(fresh_server, name)
    assert second["key"] != first["key"] and second["lambda"] == "ok"
    time.sleep(max(0.0, 7.6 - (time.monotonic() - started)))  # the first credentials have now expired
    third = invoke(fresh_server, name)
    # The client made at init re-reads the renewed variables (AWS_CREDENTIAL_EXPIRATION): still authorized.
    assert third["lambda"] == "ok" and third["identity"].endswith(f"/{role_name}/{name}")
