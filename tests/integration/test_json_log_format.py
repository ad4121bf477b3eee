"""LoggingConfig.LogFormat = JSON: platform events and application records as JSON objects, with
ApplicationLogLevel and SystemLogLevel filtering
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html)."""

from __future__ import annotations

import json

from tests.functions import ROLE, python_zip, unique_name

SOURCE = """
import json
import logging

logger = logging.getLogger()

def handler(event, context):
    logger.debug("debug detail")
    logger.info("info line")
    logger.warning("warning line")
    print(json.dumps({"level": "DEBUG", "msg": "structured debug"}))
    print(json.dumps({"level": "ERROR", "msg": "structured error"}))
    return {}
"""


def _run(server, logging_config: dict) -> list[str]:  # type: ignore[no-untyped-def]
    lam, logs = server.client("lambda"), server.client("logs")
    name = unique_name("jsonlog")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": python_zip(SOURCE)}, LoggingConfig=logging_config)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    lam.invoke(FunctionName=name, Payload=b"{}")
    return [e["message"] for e in logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]]


def test_json_format_writes_platform_events_and_filters_levels(server) -> None:  # type: ignore[no-untyped-def]
    lines = _run(server, {"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "SystemLogLevel": "INFO"})
    documents = [json.loads(line) for line in lines]  # every line is a JSON object
    types = [d.get("type") for d in documents if "type" in d]
    assert types == ["platform.start", "platform.runtimeDone", "platform.report"]
    report = next(d for d in documents if d.get("type") == "platform.report")
    assert report["record"]["metrics"]["memorySizeMB"] == 128 and report["record"]["metrics"]["durationMs"] > 0
    application = [d for d in documents if "type" not in d]
    assert [(d["level"], d.get("message") or d.get("msg")) for d in application] == [
        ("WARNING", "warning line"), ("ERROR", "structured error")]
    warning = application[0]
    assert warning["logger"] == "root" and warning["requestId"] == report["record"]["requestId"]


def test_system_log_level_warn_drops_platform_events(server) -> None:  # type: ignore[no-untyped-def]
    lines = _run(server, {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN"})
    documents = [json.loads(line) for line in lines]
    assert not [d for d in documents if "type" in d]
    assert [d.get("message") or d.get("msg") for d in documents] == [
        "debug detail", "info line", "warning line", "structured debug", "structured error"]


def test_text_format_is_unchanged(server) -> None:  # type: ignore[no-untyped-def]
    lines = _run(server, {"LogFormat": "Text"})
    assert lines[0].startswith("START RequestId: ") and lines[-1].startswith("REPORT RequestId: ")
    assert any(line.startswith("[WARNING]\t") and "warning line" in line for line in lines)
