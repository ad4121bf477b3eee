"""Layers: publishing, using them from Python and Node, and Lambda's limits
(https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name, zip_files


def _publish(client, files: dict[str, str | bytes], **kwargs) -> dict:  # type: ignore[no-untyped-def]
    return client.publish_layer_version(LayerName=kwargs.pop("name", unique_name("layer")),
                                        Content={"ZipFile": zip_files(files)}, **kwargs)


def test_python_function_imports_a_library_from_a_layer(lambda_client) -> None:  # type: ignore[no-untyped-def]
    layer = _publish(lambda_client, {"python/greeting.py": "def greet(n):\n    return 'hi ' + n\n"},
                     CompatibleRuntimes=["python3.11"], Description="lib")
    assert layer["Version"] == 1 and layer["LayerVersionArn"].endswith(":1")
    override = _publish(lambda_client, {"python/greeting.py": "def greet(n):\n    return 'hello ' + n\n",
                                        "bin/tool": "#!/bin/sh\necho tool\n"})
    name = unique_name("uses-layer")
    source = ("import os, greeting\n"
              "def handler(event, context):\n"
              "    return {'greeting': greeting.greet('you'), 'tool': os.path.exists('/opt/bin/tool') or "
              "any(os.path.exists(os.path.join(p, 'tool')) for p in os.environ['PATH'].split(':'))}\n")
    lambda_client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                                  Code={"ZipFile": python_zip(source)},
                                  Layers=[layer["LayerVersionArn"], override["LayerVersionArn"]])
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    body = json.loads(lambda_client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
    assert body == {"greeting": "hello you", "tool": True}  # the later layer wins
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert [entry["Arn"] for entry in config["Layers"]] == [layer["LayerVersionArn"], override["LayerVersionArn"]]


def test_node_function_requires_a_module_from_a_layer(lambda_client) -> None:  # type: ignore[no-untyped-def]
    layer = _publish(lambda_client, {"nodejs/node_modules/shout/index.js":
                                     "module.exports = (s) => s.toUpperCase();\n"})
    name = unique_name("node-layer")
    lambda_client.create_function(
        FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
        Code={"ZipFile": zip_files({"index.js": "const shout = require('shout');\n"
                                                "exports.handler = async (e) => ({said: shout(e.word)});\n"})},
        Layers=[layer["LayerVersionArn"]])
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    body = json.loads(lambda_client.invoke(FunctionName=name, Payload=b'{"word": "hey"}')["Payload"].read())
    assert body == {"said": "HEY"}


def test_layer_listing_and_deletion(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("listed")
    first = _publish(lambda_client, {"python/a.py": "A = 1\n"}, name=name, CompatibleRuntimes=["python3.12"])
    second = _publish(lambda_client, {"python/a.py": "A = 2\n"}, name=name, CompatibleRuntimes=["python3.11"])
    versions = lambda_client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    matching = lambda_client.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")["LayerVersions"]
    assert [v["Version"] for v in matching] == [1]
    layers = {entry["LayerName"]: entry for entry in lambda_client.list_layers()["Layers"]}
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2
    by_arn = lambda_client.get_layer_version_by_arn(Arn=first["LayerVersionArn"])
    assert by_arn["Version"] == 1 and by_arn["Content"]["CodeSize"] > 0
    lambda_client.delete_layer_version(LayerName=name, VersionNumber=1)
    with pytest.raises(ClientError) as gone:
        lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
    third = _publish(lambda_client, {"python/a.py": "A = 3\n"}, name=name)
    assert third["Version"] == 3 and second["Version"] == 2  # numbers are never reused


def test_layer_permissions(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name("shared")
    _publish(lambda_client, {"python/a.py": "A = 1\n"}, name=name)
    added = lambda_client.add_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="everyone",
                                                       Action="lambda:GetLayerVersion", Principal="*")
    assert json.loads(added["Statement"])["Principal"] == "*"
    policy = json.loads(lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=1)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["everyone"]
    lambda_client.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="everyone")
    with pytest.raises(ClientError):
        lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=1)


def test_more_than_five_layers_are_refused(lambda_client) -> None:  # type: ignore[no-untyped-def]
    arns = [_publish(lambda_client, {f"python/m{i}.py": "X = 1\n"})["LayerVersionArn"] for i in range(6)]
    with pytest.raises(ClientError) as refused:
        lambda_client.create_function(FunctionName=unique_name(), Runtime="python3.11", Role=ROLE,
                                      Handler="app.handler", Code={"ZipFile": python_zip("X = 1\n")}, Layers=arns)
    assert refused.value.response["Error"]["Code"] in ("InvalidParameterValueException", "ValidationException")


def test_code_and_layers_over_250mb_are_refused(lambda_client) -> None:  # type: ignore[no-untyped-def]
    big = b"\0" * 140_000_000  # compresses to ~140 KB; two of them unzip to 280 MB
    arns = [_publish(lambda_client, {f"python/blob{i}.bin": big})["LayerVersionArn"] for i in range(2)]
    with pytest.raises(ClientError) as refused:
        lambda_client.create_function(FunctionName=unique_name(), Runtime="python3.11", Role=ROLE,
                                      Handler="app.handler", Code={"ZipFile": python_zip("X = 1\n")}, Layers=arns)
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterValueException"
    assert "exceeds the maximum allowed size of 262144000 bytes" in error["Message"]


def test_unknown_layer_version_is_refused(lambda_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as refused:
        lambda_client.create_function(
            FunctionName=unique_name(), Runtime="python3.11", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": python_zip("X = 1\n")},
            Layers=["arn:aws:lambda:us-east-1:000000000000:layer:nothing:3"])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
