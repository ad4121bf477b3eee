"""Everything acknowledged survives a restart and a kill -9."""

from __future__ import annotations

import json

import pytest

from tests.functions import ROLE, python_zip, unique_name
from tests.lamina_server import LaminaServer

SOURCE = """
import os
def handler(event, context):
    return {"value": os.environ["VALUE"], "event": event}
"""


@pytest.mark.parametrize("stop", ["restart", "kill -9"])
def test_functions_survive(fresh_server: LaminaServer, stop: str) -> None:
    fresh_server.start()
    fresh_server.create_role()
    client = fresh_server.client("lambda")
    names = [unique_name("durable") for _ in range(3)]
    for index, name in enumerate(names):
        client.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                               Code={"ZipFile": python_zip(SOURCE)}, Timeout=11,
                               Environment={"Variables": {"VALUE": str(index)}})
    client.update_function_configuration(FunctionName=names[0], MemorySize=333)
    if stop == "restart":
        fresh_server.stop()
    else:
        fresh_server.kill()
    fresh_server.start()
    client = fresh_server.client("lambda")
    listed = {f["FunctionName"]: f for f in client.list_functions()["Functions"]}
    assert set(names) <= set(listed)
    assert listed[names[0]]["MemorySize"] == 333 and listed[names[1]]["Timeout"] == 11
    assert all(listed[n]["State"] == "Active" for n in names)
    for index, name in enumerate(names):
        response = client.invoke(FunctionName=name, Payload=b'{"k": 1}')
        assert json.loads(response["Payload"].read()) == {"value": str(index), "event": {"k": 1}}
