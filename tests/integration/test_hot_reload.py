"""Hot reload: a function runs a local folder in place and sees a saved edit on its next invoke."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, unique_name
from tests.lamina_server import LaminaServer


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "projects"
    root.mkdir()
    return root


@pytest.fixture
def hot_server(tmp_path: Path, workspace: Path) -> Iterator[LaminaServer]:
    node = LaminaServer(tmp_path / "data", extra_env={"LAMINA_HOT_RELOAD_ROOTS": str(workspace)})
    node.start()
    try:
        node.create_role()
        yield node
    finally:
        node.stop()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _handler(tag: str) -> str:
    return f"def handler(event, context):\n    return {{'tag': {tag!r}}}\n"


def _invoke(client, name: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())


def _create(client, name: str, folder: Path, **extra):  # type: ignore[no-untyped-def]
    created = client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                                     Code={"S3Bucket": "hot-reload", "S3Key": str(folder)}, **extra)
    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    return created


def _wait_for(client, name: str, expected: dict, limit: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while time.monotonic() - start < limit + 2:
        if _invoke(client, name) == expected:
            return time.monotonic() - start
    raise AssertionError(f"{name} never returned {expected}")


def test_edit_is_seen_on_the_next_invoke_within_a_second(hot_server: LaminaServer, workspace: Path) -> None:
    folder = workspace / "fn"
    _write(folder / "app.py", _handler("v1"))
    client = hot_server.client("lambda")
    name = unique_name("hot")
    created = _create(client, name, folder)
    assert _invoke(client, name) == {"tag": "v1"}
    _write(folder / "app.py", _handler("v2"))
    elapsed = _wait_for(client, name, {"tag": "v2"}, 1.0)
    assert elapsed <= 1.0, f"the new code answered {elapsed:.2f} s after the write"
    after = client.get_function_configuration(FunctionName=name)
    assert after["CodeSha256"] != created["CodeSha256"]
    # Run in place: nothing copied into lamina's data, nothing written into the user's folder.
    assert not list(hot_server.data_dir.rglob("app.py"))
    assert sorted(p.name for p in folder.iterdir()) == ["app.py"]


def test_code_sha256_is_a_stable_hash_of_the_folder(hot_server: LaminaServer, workspace: Path) -> None:
    first, second = workspace / "a", workspace / "b"
    for folder in (first, second):
        _write(folder / "app.py", _handler("same"))
        _write(folder / "lib" / "util.py", "X = 1\n")
    client = hot_server.client("lambda")
    one = _create(client, unique_name("hot"), first)
    two = _create(client, unique_name("hot"), second)
    assert one["CodeSha256"] == two["CodeSha256"]


def test_layer_folder_reloads_too(hot_server: LaminaServer, workspace: Path) -> None:
    layer_folder, code_folder = workspace / "layer", workspace / "code"
    _write(layer_folder / "python" / "shared.py", "VALUE = 'one'\n")
    _write(code_folder / "app.py", "import shared\ndef handler(event, context):\n    return {'tag': shared.VALUE}\n")
    client = hot_server.client("lambda")
    layer = client.publish_layer_version(LayerName=unique_name("hot-layer"),
                                         Content={"S3Bucket": "hot-reload", "S3Key": str(layer_folder)})
    name = unique_name("hot")
    _create(client, name, code_folder, Layers=[layer["LayerVersionArn"]])
    assert _invoke(client, name) == {"tag": "one"}
    _write(layer_folder / "python" / "shared.py", "VALUE = 'two'\n")
    assert _wait_for(client, name, {"tag": "two"}, 1.0) <= 1.0


def test_folder_outside_the_allowed_roots_is_refused(hot_server: LaminaServer, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    _write(outside / "app.py", _handler("x"))
    client = hot_server.client("lambda")
    for key in (str(outside), "/etc", "relative/path"):
        with pytest.raises(ClientError) as refused:
            client.create_function(FunctionName=unique_name(), Runtime="python3.11", Role=ROLE,
                                   Handler="app.handler", Code={"S3Bucket": "hot-reload", "S3Key": key})
        assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_symlink_escaping_the_root_is_refused(hot_server: LaminaServer, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret"
    _write(outside / "app.py", _handler("x"))
    os.symlink(outside, workspace / "sneaky")
    with pytest.raises(ClientError) as refused:
        hot_server.client("lambda").create_function(
            FunctionName=unique_name(), Runtime="python3.11", Role=ROLE, Handler="app.handler",
            Code={"S3Bucket": "hot-reload", "S3Key": str(workspace / "sneaky")})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_refused_on_a_server_bound_to_a_public_address(tmp_path: Path, workspace: Path) -> None:
    folder = workspace / "fn"
    _write(folder / "app.py", _handler("x"))
    node = LaminaServer(tmp_path / "public", extra_env={"LAMINA_HOT_RELOAD_ROOTS": str(workspace)},
                        extra_args=["--host", "0.0.0.0"])
    node.start()
    try:
        node.create_role()
        with pytest.raises(ClientError) as refused:
            node.client("lambda").create_function(
                FunctionName=unique_name(), Runtime="python3.11", Role=ROLE, Handler="app.handler",
                Code={"S3Bucket": "hot-reload", "S3Key": str(folder)})
        error = refused.value.response["Error"]
        assert error["Code"] == "InvalidParameterValueException"
        assert "non-loopback" in error["Message"]
    finally:
        node.stop()
