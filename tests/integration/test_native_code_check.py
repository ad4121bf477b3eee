"""A package carrying compiled code for another CPU is named at create time, not at import time."""

from __future__ import annotations

import struct

from tests.functions import ROLE, unique_name, zip_files
from tests.lamina_server import LaminaServer


def _aarch64_elf() -> bytes:
    return b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8 + struct.pack("<HH", 3, 0xB7) + b"\0" * 64


def test_aarch64_extension_is_named_in_the_log_group(server: LaminaServer) -> None:
    client = server.client("lambda")
    name = unique_name("native")
    so_path = "pkg/_speedups.cpython-311-aarch64-linux-gnu.so"
    client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                           Architectures=["x86_64"],
                           Code={"ZipFile": zip_files({"app.py": "def handler(e, c):\n    return 1\n",
                                                       so_path: _aarch64_elf()})})
    events = server.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                                      logStreamNames=["lamina/package-check"])["events"]
    messages = [event["message"] for event in events]
    assert any(so_path in m and "built for aarch64, but the function runs on x86_64" in m for m in messages)
