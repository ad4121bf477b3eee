"""Every request is authorized: IAM users and their policies against Lambda and IAM, through boto3.

Messages are AWS's (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.identities import allow, deny, make_user, policy
from tests.lamina_server import LaminaServer

ACCOUNT = "000000000000"
HELLO = "def handler(event, context):\n    return {'hello': event.get('name', 'world')}\n"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


@pytest.fixture
def functions(server: LaminaServer) -> list[str]:
    """Two ready functions made by the root."""
    client = server.client("lambda")
    names = [unique_name("authz"), unique_name("authz")]
    for name in names:
        client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": python_zip(HELLO)})
    for name in names:
        client.get_waiter("function_active_v2").wait(FunctionName=name)
    return names


def denial(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_user_allowed_to_invoke_one_function_can_do_that_and_nothing_else(
        server: LaminaServer, functions: list[str]) -> None:
    mine, other = functions
    user = make_user(server, policy(allow("lambda:InvokeFunction", function_arn(mine))))
    lam = user.client("lambda")
    response = lam.invoke(FunctionName=mine, Payload=json.dumps({"name": "iam"}))
    assert json.loads(response["Payload"].read()) == {"hello": "iam"}
    with pytest.raises(ClientError) as other_function:
        lam.invoke(FunctionName=other)
    assert denial(other_function) == (
        "AccessDeniedException",
        f"User: {user.arn} is not authorized to perform: lambda:InvokeFunction on resource: {function_arn(other)} "
        "because no identity-based policy allows the lambda:InvokeFunction action", 403)
    # A qualified ARN is another resource: the policy names the unqualified one only
    # (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html#function-resources).
    with pytest.raises(ClientError) as qualified:
        lam.invoke(FunctionName=mine, Qualifier="$LATEST")
    assert f"on resource: {function_arn(mine)}:$LATEST" in denial(qualified)[1]
    with pytest.raises(ClientError) as get:
        lam.get_function(FunctionName=mine)
    assert denial(get)[1] == (f"User: {user.arn} is not authorized to perform: lambda:GetFunction on resource: "
                              f"{function_arn(mine)} because no identity-based policy allows the lambda:GetFunction "
                              "action")
    with pytest.raises(ClientError) as listing:
        lam.list_functions()
    assert denial(listing)[1] == (f"User: {user.arn} is not authorized to perform: lambda:ListFunctions because no "
                                  "identity-based policy allows the lambda:ListFunctions action")
    with pytest.raises(ClientError) as delete:
        lam.delete_function(FunctionName=mine)
    assert denial(delete)[0] == "AccessDeniedException"
    with pytest.raises(ClientError) as iam:
        user.client("iam").list_users()
    assert denial(iam) == ("AccessDenied", f"User: {user.arn} is not authorized to perform: iam:ListUsers because no "
                                           "identity-based policy allows the iam:ListUsers action", 403)
    server.client("lambda").get_function(FunctionName=mine)  # the function is still there


def test_explicit_deny_beats_allow(server: LaminaServer, functions: list[str]) -> None:
    target, _ = functions
    iam = server.client("iam")
    group = unique_name("no-delete")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="deny", PolicyDocument=policy(
        deny("lambda:DeleteFunction", function_arn(target))))
    user = make_user(server, managed=("arn:aws:iam::aws:policy/AdministratorAccess",))
    lam = user.client("lambda")
    lam.get_function(FunctionName=target)
    iam.add_user_to_group(GroupName=group, UserName=user.arn.rsplit("/", 1)[1])
    with pytest.raises(ClientError) as refused:
        lam.delete_function(FunctionName=target)
    assert denial(refused) == (
        "AccessDeniedException",
        f"User: {user.arn} is not authorized to perform: lambda:DeleteFunction on resource: {function_arn(target)} "
        "with an explicit deny in an identity-based policy", 403)
    lam.get_function(FunctionName=target)  # the rest of AdministratorAccess still applies


def test_a_function_policy_can_grant_a_user_directly_but_an_account_grant_only_delegates(
        server: LaminaServer, functions: list[str]) -> None:
    target, _ = functions
    user = make_user(server)
    root_lambda = server.client("lambda")
    with pytest.raises(ClientError):
        user.client("lambda").invoke(FunctionName=target)
    root_lambda.add_permission(FunctionName=target, StatementId="account", Action="lambda:InvokeFunction",
                               Principal=ACCOUNT)
    with pytest.raises(ClientError) as delegated:
        user.client("lambda").invoke(FunctionName=target)
    assert "because no identity-based policy allows" in denial(delegated)[1]
    root_lambda.add_permission(FunctionName=target, StatementId="user", Action="lambda:InvokeFunction",
                               Principal=user.arn)
    assert user.client("lambda").invoke(FunctionName=target)["StatusCode"] == 200
    root_lambda.remove_permission(FunctionName=target, StatementId="user")
    with pytest.raises(ClientError):
        user.client("lambda").invoke(FunctionName=target)


def test_resource_tags_in_conditions(server: LaminaServer, functions: list[str]) -> None:
    tagged, untagged = functions
    server.client("lambda").tag_resource(Resource=function_arn(tagged), Tags={"team": "blue"})
    user = make_user(server, policy(allow("lambda:InvokeFunction", "*",
                                          Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}})))
    assert user.client("lambda").invoke(FunctionName=tagged)["StatusCode"] == 200
    with pytest.raises(ClientError):
        user.client("lambda").invoke(FunctionName=untagged)


def test_source_ip_and_principal_tag_conditions(server: LaminaServer, functions: list[str]) -> None:
    target, _ = functions
    local = make_user(server, policy(allow("lambda:GetFunction", "*",
                                           Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})))
    local.client("lambda").get_function(FunctionName=target)
    remote_only = make_user(server, policy(allow("lambda:GetFunction", "*",
                                                 Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    with pytest.raises(ClientError):
        remote_only.client("lambda").get_function(FunctionName=target)
    tagged = make_user(server, policy(allow("lambda:GetFunction", "*", Condition={
        "StringEquals": {"aws:PrincipalTag/role": "reader"}})))
    with pytest.raises(ClientError):
        tagged.client("lambda").get_function(FunctionName=target)
    server.client("iam").tag_user(UserName=tagged.arn.rsplit("/", 1)[1], Tags=[{"Key": "role", "Value": "reader"}])
    tagged.client("lambda").get_function(FunctionName=target)


def test_policy_changes_take_effect_at_once(server: LaminaServer, functions: list[str]) -> None:
    target, _ = functions
    user = make_user(server)
    name = user.arn.rsplit("/", 1)[1]
    iam = server.client("iam")
    with pytest.raises(ClientError):
        user.client("lambda").get_function(FunctionName=target)
    iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess")
    user.client("lambda").get_function(FunctionName=target)
    iam.detach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess")
    with pytest.raises(ClientError):
        user.client("lambda").get_function(FunctionName=target)
