"""The Lambda control plane through boto3 against a real lamina."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
import time
import urllib.error
import urllib.request
import zipfile

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LaminaServer

HANDLER_SOURCE = """
def handler(event, context):
    return {"ok": True}
"""


def _create(client, name: str, **overrides):  # type: ignore[no-untyped-def]
    params = dict(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                  Code={"ZipFile": python_zip(HANDLER_SOURCE)})
    params.update(overrides)
    return client.create_function(**params)


def test_create_reports_pending_then_active(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name()
    created = _create(lambda_client, name, Description="d", MemorySize=256, Timeout=10,
                      Environment={"Variables": {"AA": "1"}}, Tags={"team": "x"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert created["Version"] == "$LATEST" and created["PackageType"] == "Zip"
    assert created["MemorySize"] == 256 and created["Timeout"] == 10
    assert created["Environment"] == {"Variables": {"AA": "1"}}
    assert created["Architectures"] == ["x86_64"] and created["EphemeralStorage"] == {"Size": 512}
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    got = lambda_client.get_function(FunctionName=name)
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert got["Configuration"]["RevisionId"] == created["RevisionId"]
    assert got["Tags"] == {"team": "x"}


def _server_children(server: LaminaServer) -> list[str]:
    """The command lines of the server's own child processes (its runtimes' zygotes among them)."""
    pid = server.process.pid
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            children += listed.read().split()
    lines = []
    for child in children:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                lines.append(cmdline.read().replace(b"\0", b" ").decode().strip())
        except FileNotFoundError:
            pass
    return lines


def test_create_starts_the_functions_runtime_before_its_first_invocation(fresh_server: LaminaServer) -> None:
    """The zygote a Python function is forked from is started after CreateFunction, not by the first
    invocation (which would wait for it: about a second on a new node). This function names no SDK module:
    the lean zygote (engine/sandbox.py)."""
    fresh_server.start()
    fresh_server.create_role()
    client = fresh_server.client("lambda")
    assert not any("python3.11-lean" in line for line in _server_children(fresh_server))
    name = unique_name()
    _create(client, name)
    deadline = time.monotonic() + 60
    while not any(line.endswith(" python3.11-lean") for line in _server_children(fresh_server)):
        assert time.monotonic() < deadline, _server_children(fresh_server)
        time.sleep(0.05)  # a process appearing gives no event to wait on
    assert not any(line.endswith(" python3.11") for line in _server_children(fresh_server))  # only what it needs
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert client.invoke(FunctionName=name)["Payload"].read() == b'{"ok": true}'


def test_a_restarted_lamina_starts_the_runtimes_its_functions_use(fresh_server: LaminaServer) -> None:
    fresh_server.start()
    fresh_server.create_role()
    client = fresh_server.client("lambda")
    name = unique_name()
    _create(client, name)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    fresh_server.stop()
    fresh_server.start()
    deadline = time.monotonic() + 60
    # Both Python zygotes: which one the function needs would mean reading (extracting) its code at start.
    while not {"python3.11", "python3.11-lean"} <= {line.rsplit(" ", 1)[-1] for line in _server_children(fresh_server)}:
        assert time.monotonic() < deadline, _server_children(fresh_server)
        time.sleep(0.05)  # a process appearing gives no event to wait on
    assert fresh_server.client("lambda").invoke(FunctionName=name)["Payload"].read() == b'{"ok": true}'


def test_code_location_downloads_the_same_zip(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name()
    package = python_zip(HANDLER_SOURCE)
    created = _create(lambda_client, name, Code={"ZipFile": package})
    location = lambda_client.get_function(FunctionName=name)["Code"]["Location"]
    with urllib.request.urlopen(location) as response:
        downloaded = response.read()
    assert downloaded == package
    assert zipfile.ZipFile(io.BytesIO(downloaded)).namelist() == ["app.py"]
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert created["CodeSize"] == len(package)
    with pytest.raises(urllib.error.HTTPError) as forged:
        urllib.request.urlopen(location.replace("Signature=", "Signature=0"))
    assert forged.value.code == 403


def test_duplicate_and_missing_functions(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name()
    _create(lambda_client, name)
    with pytest.raises(ClientError) as dup:
        _create(lambda_client, name)
    assert dup.value.response["Error"]["Code"] == "ResourceConflictException"
    assert dup.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    with pytest.raises(ClientError) as missing:
        lambda_client.get_function(FunctionName="does-not-exist")
    error = missing.value.response["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"] == ("Function not found: "
                                "arn:aws:lambda:us-east-1:000000000000:function:does-not-exist")


def test_list_functions_paginates(server: LaminaServer) -> None:
    client = server.client("lambda", region="eu-central-1")
    names = sorted(unique_name("page") for _ in range(7))
    for name in names:
        _create(client, name)
    first = client.list_functions(MaxItems=3)
    assert [f["FunctionName"] for f in first["Functions"]] == names[:3]
    assert "NextMarker" in first
    seen = [f["FunctionName"] for f in first["Functions"]]
    paginator = client.get_paginator("list_functions")
    everything = [f["FunctionName"] for page in paginator.paginate(PaginationConfig={"PageSize": 2})
                  for f in page["Functions"]]
    assert everything == names
    assert seen == names[:3]


def test_functions_are_kept_per_region(server: LaminaServer) -> None:
    west = server.client("lambda", region="us-west-2")
    east = server.client("lambda")
    name = unique_name()
    _create(west, name)
    assert west.get_function(FunctionName=name)["Configuration"]["FunctionArn"].startswith(
        "arn:aws:lambda:us-west-2:")
    with pytest.raises(ClientError) as other_region:
        east.get_function(FunctionName=name)
    assert other_region.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_update_code_and_configuration(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name()
    created = _create(lambda_client, name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    updated = lambda_client.update_function_code(FunctionName=name, ZipFile=python_zip(HANDLER_SOURCE + "\n# v2\n"))
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["CodeSha256"] != created["CodeSha256"]
    assert updated["RevisionId"] != created["RevisionId"]
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    with pytest.raises(ClientError) as stale:
        lambda_client.update_function_configuration(FunctionName=name, Timeout=9,
                                                    RevisionId=created["RevisionId"])
    assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
    current = lambda_client.get_function_configuration(FunctionName=name)
    config = lambda_client.update_function_configuration(
        FunctionName=name, Timeout=9, MemorySize=512, Environment={"Variables": {"BB": "2"}},
        RevisionId=current["RevisionId"])
    assert (config["Timeout"], config["MemorySize"]) == (9, 512)
    assert config["Environment"] == {"Variables": {"BB": "2"}}
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert lambda_client.get_function_configuration(FunctionName=name)["Timeout"] == 9


def test_concurrent_updates_conflict(lambda_client, server: LaminaServer) -> None:  # type: ignore[no-untyped-def]
    """Concurrent updates that all name the RevisionId they read: exactly one wins. Each of the others is
    refused with ResourceConflictException if it arrives while the winner is InProgress, or with
    PreconditionFailedException once the winner has changed the RevisionId; which of the two depends on
    when it arrives, which no client controls (a fast update can settle before the next one is read)."""
    name = unique_name()
    _create(lambda_client, name)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    revision = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    # A large package keeps a code update busy for a while: refusals of both kinds are likely.
    big = python_zip(HANDLER_SOURCE + "\n# " + "x" * 2_000_000 + "\n")
    outcomes: list[tuple[str, str, dict]] = []
    barrier = threading.Barrier(4)

    def update(index: int) -> None:
        client = server.client("lambda")
        barrier.wait()
        try:
            if index % 2 == 0:
                answer = client.update_function_code(FunctionName=name, ZipFile=big, RevisionId=revision)
            else:
                answer = client.update_function_configuration(FunctionName=name, Description=f"update {index}",
                                                              RevisionId=revision)
            outcomes.append(("ok", f"update {index}", answer))
        except ClientError as error:
            outcomes.append((error.response["Error"]["Code"], f"update {index}", {}))

    threads = [threading.Thread(target=update, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(code for code, _, _ in outcomes)
    assert len(codes) == 4 and codes.count("ok") == 1, codes
    assert set(codes) <= {"ok", "PreconditionFailedException", "ResourceConflictException"}, codes
    [(_, winner, answer)] = [outcome for outcome in outcomes if outcome[0] == "ok"]
    assert answer["LastUpdateStatus"] == "InProgress" and answer["RevisionId"] != revision
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    current = lambda_client.get_function_configuration(FunctionName=name)
    # The winner's update is the one kept, whole; none of the refused ones changed anything.
    assert current["RevisionId"] == answer["RevisionId"]
    assert current["CodeSha256"] == answer["CodeSha256"]
    assert current.get("Description", "") == answer.get("Description", "")
    if winner in ("update 0", "update 2"):
        assert current["CodeSize"] == len(big) and current.get("Description", "") == ""
    else:
        assert current["Description"] == winner


def test_delete_function(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name()
    _create(lambda_client, name)
    deleted = lambda_client.delete_function(FunctionName=name)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError):
        lambda_client.get_function(FunctionName=name)


def test_tags(lambda_client) -> None:  # type: ignore[no-untyped-def]
    name = unique_name()
    arn = _create(lambda_client, name)["FunctionArn"]
    lambda_client.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["a"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"b": "2"}


def test_account_settings(lambda_client) -> None:  # type: ignore[no-untyped-def]
    settings = lambda_client.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert settings["AccountLimit"]["CodeSizeUnzipped"] == 262144000
    assert settings["AccountUsage"]["FunctionCount"] >= 0


@pytest.mark.parametrize("overrides, code, fragment", [
    ({"Runtime": "python3.11", "Environment": {"Variables": {"AWS_REGION": "x"}}},
     "InvalidParameterValueException", "reserved keys"),
    ({"Environment": {"Variables": {"BIG": "x" * 5000}}}, "InvalidParameterValueException", "4KB"),
    ({"Timeout": 901}, "ValidationException", "less than or equal to 900"),
    ({"Handler": None}, "InvalidParameterValueException", "Runtime and Handler are mandatory"),
    ({"Environment": {"Variables": {"LAMINA_NETWORK": "off"}}}, "InvalidParameterValueException",
     "LAMINA_NETWORK"),
])
def test_configuration_checks(lambda_client, overrides, code, fragment) -> None:  # type: ignore[no-untyped-def]
    params = dict(FunctionName=unique_name(), Runtime="python3.11", Role=ROLE, Handler="app.handler",
                  Code={"ZipFile": python_zip(HANDLER_SOURCE)})
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    with pytest.raises(ClientError) as refused:
        lambda_client.create_function(**params)
    assert refused.value.response["Error"]["Code"] == code
    assert fragment in refused.value.response["Error"]["Message"]


REACH_LAMINA = """
import os, urllib.request
def handler(event, context):
    try:
        with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/_lamina/health", timeout=3) as answer:
            return answer.status
    except OSError as error:
        return type(getattr(error, "reason", error)).__name__
"""


def test_a_function_with_a_network_of_its_own_cannot_reach_lamina(lambda_client) -> None:  # type: ignore[no-untyped-def]
    # LAMINA_NETWORK=none (lamina's switch; off by default, as Lambda functions have a network): only a
    # loopback interface of the function's own. Turning it off again is a configuration update like any.
    name = unique_name()
    _create(lambda_client, name, Code={"ZipFile": python_zip(REACH_LAMINA)},
            Environment={"Variables": {"LAMINA_NETWORK": "none"}})
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'"ConnectionRefusedError"'
    lambda_client.update_function_configuration(FunctionName=name, Environment={"Variables": {}})
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b"200"
