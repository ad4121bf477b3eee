"""Versions and aliases as the AWS documentation describes them
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html)."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name


def _source(tag: str) -> str:
    return f"def handler(event, context):\n    return {{'tag': {tag!r}, 'version': context.function_version}}\n"


@pytest.fixture
def function(lambda_client) -> str:  # type: ignore[no-untyped-def]
    name = unique_name("ver")
    lambda_client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                                  Code={"ZipFile": python_zip(_source("v1"))})
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return name


def _update(client, name: str, tag: str) -> None:  # type: ignore[no-untyped-def]
    client.update_function_code(FunctionName=name, ZipFile=python_zip(_source(tag)))
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})


def _call(client, name: str, qualifier: str | None = None):  # type: ignore[no-untyped-def]
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    response = client.invoke(FunctionName=name, Payload=b"{}", **kwargs)
    return response["ExecutedVersion"], json.loads(response["Payload"].read())


def test_publish_snapshots_code_and_configuration(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    v1 = lambda_client.publish_version(FunctionName=function, Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(f":{function}:1")
    assert v1["Description"] == "first"
    again = lambda_client.publish_version(FunctionName=function)
    assert again["Version"] == "1"  # nothing changed: the last version is returned
    _update(lambda_client, function, "v2")
    lambda_client.update_function_configuration(FunctionName=function, Timeout=8)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function, WaiterConfig={"Delay": 1})
    v2 = lambda_client.publish_version(FunctionName=function)
    assert v2["Version"] == "2" and v2["Timeout"] == 8
    assert _call(lambda_client, function, "1") == ("1", {"tag": "v1", "version": "1"})
    assert _call(lambda_client, function, "2") == ("2", {"tag": "v2", "version": "2"})
    assert _call(lambda_client, function) == ("$LATEST", {"tag": "v2", "version": "$LATEST"})
    assert lambda_client.get_function(FunctionName=function, Qualifier="1")["Configuration"]["Timeout"] == 3
    versions = [v["Version"] for v in lambda_client.list_versions_by_function(FunctionName=function)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]


def test_publish_preconditions(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as wrong_sha:
        lambda_client.publish_version(FunctionName=function, CodeSha256="AAAA")
    assert wrong_sha.value.response["Error"]["Code"] == "InvalidParameterValueException"
    with pytest.raises(ClientError) as wrong_revision:
        lambda_client.publish_version(FunctionName=function, RevisionId="not-the-revision")
    assert wrong_revision.value.response["Error"]["Code"] == "PreconditionFailedException"


def test_missing_version_and_deleting_versions(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as missing:
        _call(lambda_client, function, "9")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    lambda_client.publish_version(FunctionName=function)
    lambda_client.create_alias(FunctionName=function, Name="live", FunctionVersion="1")
    with pytest.raises(ClientError) as in_use:
        lambda_client.delete_function(FunctionName=function, Qualifier="1")
    assert in_use.value.response["Error"]["Code"] == "ResourceConflictException"
    lambda_client.delete_alias(FunctionName=function, Name="live")
    lambda_client.delete_function(FunctionName=function, Qualifier="1")
    with pytest.raises(ClientError):
        lambda_client.get_function(FunctionName=function, Qualifier="1")
    assert lambda_client.get_function(FunctionName=function)["Configuration"]["Version"] == "$LATEST"


def test_aliases(lambda_client, function: str) -> None:  # type: ignore[no-untyped-def]
    lambda_client.publish_version(FunctionName=function)
    _update(lambda_client, function, "v2")
    lambda_client.publish_version(FunctionName=function)
    alias = lambda_client.create_alias(FunctionName=function, Name="prod", FunctionVersion="1", Description="p")
    assert alias["AliasArn"].endswith(f":{function}:prod")
    with pytest.raises(ClientError) as duplicate:
        lambda_client.create_alias(FunctionName=function, Name="prod", FunctionVersion="1")
    assert duplicate.value.response["Error"]["Code"] == "ResourceConflictException"
    assert _call(lambda_client, function, "prod") == ("1", {"tag": "v1", "version": "1"})
    arn = lambda_client.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    assert _call(lambda_client, f"{arn}:prod")[0] == "1"
    assert _call(lambda_client, f"{function}:prod")[0] == "1"
    with pytest.raises(ClientError) as stale:
        lambda_client.update_alias(FunctionName=function, Name="prod", FunctionVersion="2", RevisionId="stale")
    assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
    lambda_client.update_alias(FunctionName=function, Name="prod", FunctionVersion="2",
                               RevisionId=lambda_client.get_alias(FunctionName=function, Name="prod")["RevisionId"])
    assert _call(lambda_client, function, "prod")[0] == "2"
    assert [a["Name"] for a in lambda_client.list_aliases(FunctionName=function)["Aliases"]] == ["prod"]
    with pytest.raises(ClientError) as bad_version:
        lambda_client.create_alias(FunctionName=function, Name="nope", FunctionVersion="7")
    assert bad_version.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_weighted_routing_matches_the_weight(lambda_client, server, function: str) -> None:  # type: ignore[no-untyped-def]
    lambda_client.publish_version(FunctionName=function)
    _update(lambda_client, function, "v2")
    lambda_client.publish_version(FunctionName=function)
    lambda_client.create_alias(FunctionName=function, Name="canary", FunctionVersion="1",
                               RoutingConfig={"AdditionalVersionWeights": {"2": 0.3}})
    client = server.client("lambda", max_pool_connections=16)

    def executed(_: int) -> str:
        return client.invoke(FunctionName=function, Qualifier="canary", Payload=b"{}")["ExecutedVersion"]

    with ThreadPoolExecutor(8) as pool:
        counts = Counter(pool.map(executed, range(4000)))
    assert set(counts) == {"1", "2"}
    share = counts["2"] / 4000  # 3 points is over 4 standard errors at 4,000 draws
    assert abs(share - 0.3) <= 0.03, counts
    with pytest.raises(ClientError) as latest:
        lambda_client.update_alias(FunctionName=function, Name="canary",
                                   RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}})
    assert latest.value.response["Error"]["Code"] in ("InvalidParameterValueException", "ValidationException")
