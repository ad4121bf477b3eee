"""Bad input gets a 4xx AWS error, never a 500 or a traceback, and leaves nothing behind."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.functions import ROLE, unique_name
from tests.lamina_server import LaminaServer
from tests.raw_requests import send

CREATE = "/2015-03-31/functions"


def _signed(server: LaminaServer, method: str, path: str, body: bytes = b"", headers=None):  # type: ignore[no-untyped-def]
    key, secret = server.credentials()
    return send(server.endpoint, method, path, body, headers, key=key, secret=secret)


def _assert_aws_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status == status, response.body
    assert response.headers["x-amzn-errortype"] == code
    document = response.json()
    assert "Traceback" not in response.body.decode(errors="replace")
    assert document["message"]
    return document


def test_body_that_is_not_json(server: LaminaServer) -> None:
    response = _signed(server, "POST", CREATE, b"{this is not json")
    _assert_aws_error(response, 400, "InvalidRequestContentException")


def test_member_of_the_wrong_type(server: LaminaServer) -> None:
    body = json.dumps({"FunctionName": "f", "Role": ROLE, "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},
                       "MemorySize": "lots"}).encode()
    document = _assert_aws_error(_signed(server, "POST", CREATE, body), 400, "InvalidRequestContentException")
    assert "MemorySize" in document["message"]


def test_missing_required_members(server: LaminaServer) -> None:
    body = json.dumps({"FunctionName": "f"}).encode()
    document = _assert_aws_error(_signed(server, "POST", CREATE, body), 400, "ValidationException")
    assert "Value null at 'role' failed to satisfy constraint: Member must not be null" in document["message"]
    assert "Value null at 'code'" in document["message"]


def test_unknown_operation(server: LaminaServer) -> None:
    _assert_aws_error(_signed(server, "PATCH", "/2015-03-31/no-such-thing"), 404, "UnknownOperationException")


def test_operation_lamina_does_not_implement_names_itself(server: LaminaServer) -> None:
    client = server.client("lambda")
    with pytest.raises(ClientError) as refused:
        client.list_code_signing_configs()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert refused.value.response["Error"]["Code"] == "NotImplementedException"
    assert "lambda:ListCodeSigningConfigs" in refused.value.response["Error"]["Message"]


def test_huge_body_is_refused_before_it_is_read(server: LaminaServer) -> None:
    body = b"{" + b" " * 71_000_000 + b"}"
    response = _signed(server, "POST", CREATE, body)
    assert response.status == 413
    assert response.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"


def _code_dirs(server: LaminaServer) -> set[str]:
    root = server.data_dir / "code"
    return set(os.listdir(root)) if root.exists() else set()


def _hostile(name: str, data: bytes, symlink: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", "def handler(e, c):\n    return 1\n")
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        if symlink:
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize("make_package, fragment", [
    (lambda: _hostile("../../escape.py", b"x"), "Could not unzip"),
    (lambda: _hostile("/tmp/absolute.py", b"x"), "Could not unzip"),
    (lambda: _hostile("link", b"/etc/passwd", symlink=True), "Could not unzip"),
    (lambda: _hostile("bomb.bin", b"\0" * 263_000_000), "Unzipped size must be smaller than 262144000 bytes"),
    (lambda: b"these bytes are not a zip", "Could not unzip"),
], ids=["traversal", "absolute", "symlink-out", "zip-bomb", "not-a-zip"])
def test_hostile_zips(server: LaminaServer, make_package, fragment: str) -> None:  # type: ignore[no-untyped-def]
    package = make_package()
    client = server.client("lambda")
    before = _code_dirs(server)
    with pytest.raises(ClientError) as refused:
        client.create_function(FunctionName=unique_name(), Runtime="python3.11", Role=ROLE,
                               Handler="app.handler", Code={"ZipFile": package})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert fragment in refused.value.response["Error"]["Message"]
    assert _code_dirs(server) == before
    assert not Path("/tmp/absolute.py").exists()
    assert not (server.data_dir / "escape.py").exists() and not (server.data_dir.parent / "escape.py").exists()
