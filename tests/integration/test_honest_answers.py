"""What lamina does not do is said, never silently ignored."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LaminaServer


def test_unimplemented_operation_is_named(server: LaminaServer) -> None:
    with pytest.raises(ClientError) as refused:
        server.client("lambda").get_runtime_management_config(FunctionName="anything")
    response = refused.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert response["Error"]["Code"] == "NotImplementedException"
    assert response["Error"]["Message"] == "lamina does not implement lambda:GetRuntimeManagementConfig yet"


def test_member_lamina_cannot_honour_is_refused_by_name(server: LaminaServer) -> None:
    with pytest.raises(ClientError) as refused:
        server.client("lambda").create_function(
            FunctionName=unique_name(), Runtime="python3.11", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": python_zip("X = 1\n")},
            FileSystemConfigs=[{"Arn": "arn:aws:elasticfilesystem:us-east-1:000000000000:access-point/fsap-0123456789abcdef0",
                                "LocalMountPath": "/mnt/efs"}])
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "FileSystemConfigs" in refused.value.response["Error"]["Message"]


def test_member_lamina_ignores_is_logged_once(fresh_server: LaminaServer) -> None:
    fresh_server.start().create_role()
    client = fresh_server.client("lambda")
    for _ in range(2):
        client.create_function(FunctionName=unique_name(), Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": python_zip("X = 1\n")},
                               VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]})
    fresh_server.stop()
    warnings = [line for line in fresh_server.output().splitlines() if "does not act on" in line]
    assert len(warnings) == 1
    assert "lambda:CreateFunction member VpcConfig" in warnings[0]
