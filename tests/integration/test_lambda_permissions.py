"""Function policies: AddPermission, GetPolicy, RemovePermission through boto3, and the check other
services go through when they invoke a function (EventBridge rules, SNS topics, ...)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from lamina.config import Settings
from lamina.iam.principal import root_principal
from lamina.server import Node
from lamina.services.context import CallContext
from lamina.services.lambda_.errors import AccessDeniedException
from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LAMBDA_TRUST, LaminaServer, free_port

ACCOUNT = "000000000000"
RULE_A = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/rule-a"
RULE_B = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/rule-b"


@pytest.fixture
def function(server: LaminaServer) -> str:
    client = server.client("lambda")
    name = unique_name("perm")
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": python_zip("def handler(e, c):\n    return 1\n")})
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def test_add_permission_writes_lambdas_statement(server: LaminaServer, function: str) -> None:
    client = server.client("lambda")
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}"
    added = client.add_permission(FunctionName=function, StatementId="rule-a", Action="lambda:InvokeFunction",
                                  Principal="events.amazonaws.com", SourceArn=RULE_A, SourceAccount=ACCOUNT)
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "rule-a", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": arn,
        "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT}, "ArnLike": {"AWS:SourceArn": RULE_A}}}
    client.add_permission(FunctionName=function, StatementId="other-account", Action="lambda:GetFunction",
                          Principal="111122223333")
    got = client.get_policy(FunctionName=function)
    document = json.loads(got["Policy"])
    assert document["Version"] == "2012-10-17" and document["Id"] == "default"
    assert [s["Sid"] for s in document["Statement"]] == ["rule-a", "other-account"]
    assert document["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    with pytest.raises(ClientError) as duplicate:
        client.add_permission(FunctionName=function, StatementId="rule-a", Action="lambda:InvokeFunction",
                              Principal="sns.amazonaws.com")
    assert duplicate.value.response["Error"]["Code"] == "ResourceConflictException"
    assert duplicate.value.response["Error"]["Message"] == (
        "The statement id (sid) provided already exists. Please specify a new statement id, or remove the "
        "existing statement.")
    with pytest.raises(ClientError) as stale:
        client.add_permission(FunctionName=function, StatementId="late", Action="lambda:InvokeFunction",
                              Principal="sns.amazonaws.com", RevisionId="not-the-revision")
    assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
    client.add_permission(FunctionName=function, StatementId="late", Action="lambda:InvokeFunction",
                          Principal="sns.amazonaws.com", RevisionId=got["RevisionId"])


def test_remove_permission_and_empty_policies(server: LaminaServer, function: str) -> None:
    client = server.client("lambda")
    with pytest.raises(ClientError) as none:
        client.get_policy(FunctionName=function)
    assert none.value.response["Error"] == {"Code": "ResourceNotFoundException", "Message": "The resource you requested does not exist."}
    client.add_permission(FunctionName=function, StatementId="s1", Action="lambda:InvokeFunction",
                          Principal="s3.amazonaws.com")
    with pytest.raises(ClientError) as unknown:
        client.remove_permission(FunctionName=function, StatementId="nope")
    assert unknown.value.response["Error"]["Message"] == "Statement nope is not found in resource policy."
    client.remove_permission(FunctionName=function, StatementId="s1")
    with pytest.raises(ClientError):
        client.get_policy(FunctionName=function)


def test_aliases_have_their_own_policy(server: LaminaServer, function: str) -> None:
    client = server.client("lambda")
    version = client.publish_version(FunctionName=function)["Version"]
    client.create_alias(FunctionName=function, Name="live", FunctionVersion=version)
    added = json.loads(client.add_permission(FunctionName=function, Qualifier="live", StatementId="live-only",
                                             Action="lambda:InvokeFunction", Principal="sns.amazonaws.com")["Statement"])
    assert added["Resource"].endswith(f":function:{function}:live")
    assert json.loads(client.get_policy(FunctionName=function, Qualifier="live")["Policy"])["Statement"][0]["Sid"] == "live-only"
    with pytest.raises(ClientError):
        client.get_policy(FunctionName=function)
    client.delete_alias(FunctionName=function, Name="live")
    client.create_alias(FunctionName=function, Name="live", FunctionVersion=version)
    with pytest.raises(ClientError):  # a new alias of the same name starts without the old one's policy
        client.get_policy(FunctionName=function, Qualifier="live")


def test_a_source_arn_condition_lets_one_rule_invoke_and_not_another(tmp_path: Path) -> None:
    """The in-process call a service such as EventBridge makes to invoke a target function
    (``queue_invocation`` with its source); the function's policy decides
    (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)."""
    asyncio.run(_rules_invoke(tmp_path))


async def _rules_invoke(tmp_path: Path) -> None:
    node = Node(Settings(port=free_port(), data_dir=tmp_path / "data"))
    await node.start()
    try:
        ctx = CallContext("lambda", "test", "us-east-1", ACCOUNT, "req", root_principal(ACCOUNT, "root"), "")
        iam = node.registry.endpoints["iam"].provider
        lam = node.registry.endpoints["lambda"].provider
        role = (await iam.create_role(ctx, {"RoleName": "rule-target", "AssumeRolePolicyDocument": LAMBDA_TRUST}))
        created = await lam.create_function(ctx, {
            "FunctionName": "target", "Runtime": "python3.11", "Role": role["Role"]["Arn"], "Handler": "app.handler",
            "Code": {"ZipFile": python_zip("def handler(e, c):\n    return e\n")}})
        arn = created["FunctionArn"]
        source_a = {"service": "events.amazonaws.com", "arn": RULE_A, "account": ACCOUNT}
        source_b = {"service": "events.amazonaws.com", "arn": RULE_B, "account": ACCOUNT}
        with pytest.raises(AccessDeniedException):  # no policy at all
            await lam.queue_invocation(arn, b"{}", source=source_a)
        await lam.add_permission(ctx, {"FunctionName": "target", "StatementId": "rule-a",
                                       "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
                                       "SourceArn": RULE_A})
        assert await lam.may_invoke(arn, service="events.amazonaws.com", source_arn=RULE_A)
        assert not await lam.may_invoke(arn, service="events.amazonaws.com", source_arn=RULE_B)
        assert not await lam.may_invoke(arn, service="sns.amazonaws.com", source_arn=RULE_A)
        assert await lam.queue_invocation(arn, b'{"from": "a"}', source=source_a)
        with pytest.raises(AccessDeniedException) as refused:
            await lam.queue_invocation(arn, b'{"from": "b"}', source=source_b)
        assert refused.value.message == (
            f"User: events.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: {arn} "
            "because no resource-based policy allows the lambda:InvokeFunction action")
    finally:
        await node.stop()
